/**
 * The stack parameters a local run of the bundles gives (test/lambda/harness/environment.ts, shared
 * by the bundle tests and `npm run bench -- bundles`): every parameter of the template gets a value,
 * so every function's environment resolves, and a parameter added to lib/ cannot be forgotten.
 */
import { OPERATION_TAG } from '../../lib/operation-function';
import {
  lambdaEnvironment,
  localParameters,
  stackParameters,
  type LocalAws,
} from '../lambda/harness/environment';
import type { BundledFunction, SynthResult } from '../lambda/harness/synthBundles';
import { wixKeys } from '../helpers/keys';
import { functionsByOperation, synth } from './synth';

const nowhere = 'http://127.0.0.1:9';
const aws = (parameters: Record<string, string>): LocalAws => ({
  dynamodbEndpoint: nowhere,
  tableName: 'local',
  secretsManagerEndpoint: nowhere,
  lambdaEndpoint: nowhere,
  parameters,
});

describe('stack parameters of a local run', () => {
  const { template } = synth();
  const json = template.toJSON() as {
    Parameters: SynthResult['parameters'];
    Resources: SynthResult['resources'];
  };
  const synthLike = { parameters: json.Parameters, resources: json.Resources } as SynthResult;
  const functions = [...functionsByOperation(template, OPERATION_TAG)].map(
    ([operation, id]) =>
      ({
        operation,
        logicalId: id,
        functionName: id,
        dir: 'bundle',
        runtime: json.Resources[id]!.Properties!.Runtime,
        memoryMb: json.Resources[id]!.Properties!.MemorySize,
        environment: json.Resources[id]!.Properties!.Environment?.Variables ?? {},
      }) as unknown as BundledFunction,
  );

  it('finds the functions and parameters it checks', () => {
    expect(functions.length).toBeGreaterThan(10);
    expect(Object.keys(json.Parameters)).toEqual(
      expect.arrayContaining(['WixPublicKey', 'WixAppId', 'LegacySecretKeyTenant', 'Tracing']),
    );
  });

  it('resolves every function environment with the values the bench and the bundle tests give', () => {
    const parameters = localParameters(wixKeys().publicKeyPem);
    for (const fn of functions) {
      const env = lambdaEnvironment(fn, synthLike, aws(parameters));
      expect({ fn: fn.operation, key: env.WIX_PUBLIC_KEY }).toEqual({
        fn: fn.operation,
        key: parameters.WixPublicKey,
      });
      expect(Object.values(env).every((v) => typeof v === 'string')).toBe(true);
    }
    // the parameters with defaults take them
    expect(stackParameters(synthLike, parameters)).toMatchObject({
      LegacySecretKeyTenant: '',
      LegacyRevokedSecrets: '',
      LegacyPermissions: '',
      Tracing: 'false',
    });
  });

  it('names a parameter without a default that is given no value, and a given one the template lacks', () => {
    expect(() => stackParameters(synthLike, { WixAppId: '*' })).toThrow(
      'stack parameters without a default need a value for a local run: WixPublicKey',
    );
    expect(() => stackParameters(synthLike, { ...localParameters('k'), NoSuchParameter: 'x' })).toThrow(
      'the template has no parameter NoSuchParameter',
    );
  });

  it.each([
    ['a given value', { A: { Type: 'String', Default: 'd' } }, { A: 'v' }, { A: 'v' }],
    ['the default', { A: { Type: 'String', Default: 'd' } }, {}, { A: 'd' }],
    ['a number default as text', { N: { Type: 'Number', Default: 50 } }, {}, { N: '50' }],
    ['an empty default', { E: { Type: 'String', Default: '' } }, {}, { E: '' }],
  ])('takes %s', (_name, parameters, given, expected) => {
    expect(stackParameters({ parameters }, given)).toEqual(expected);
  });
});
