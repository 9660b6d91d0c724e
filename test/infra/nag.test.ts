/**
 * cdk-nag (AWS Solutions) finds nothing that is not acknowledged with a reason, on the app exactly as
 * `cdk synth` builds it, in both configurations that change resources.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from './synth';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

describe.each([
  ['default', {}],
  [
    'no deletion protection, with an existing secret',
    {
      deletionProtection: false,
      secretKeyArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
    },
  ],
])('AWS Solutions checks (%s)', (_name, context) => {
  const { app } = build(context, { nag: true });

  it('report no unacknowledged errors or warnings', () => {
    const result = new AwsSolutionsChecks(app).validateScope(app);
    const found = result.violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      at: v.violatingResources.map((r) => r.constructPath),
    }));
    expect(found).toEqual([]);
  });

  it('let the app synthesize with the plugin registered (it throws on any finding)', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledge every finding with a real reason', () => {
    const reasons = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === ACKNOWLEDGED))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(reasons.length).toBeGreaterThan(0);
    for (const [id, reason] of reasons) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});
