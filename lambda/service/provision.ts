/**
 * Provision answers. V3 has no provision method (Wix never needs one), but answering is harmless
 * and lets a user check the deployment. The legacy SPI calls /provision to pick its dialect.
 * Neither reveals any configuration.
 */
export interface ProvisionAnswer {
  type: 'dynamodb';
  vendor: 'aws';
  protocolVersion: number;
  adapterVersion: string;
}

export function provision(path: string): ProvisionAnswer {
  const v3 = path.startsWith('/v3/');
  return { type: 'dynamodb', vendor: 'aws', protocolVersion: v3 ? 3 : 2, adapterVersion: v3 ? 'v3' : 'v2' };
}
