/**
 * Deploy-time parameters of the operations side of the stack: who is told when an alarm fires, and
 * how fast the public API lets anyone call it. Stack parameters (not context) so an operator can
 * change them with `cdk deploy --parameters Name=value` without touching the code.
 */
import { CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * Steady-state requests per second the API stage lets through, for all callers together. Wix sends a
 * handful of requests per page view; 50/s is well above one busy site yet caps what a leaked URL can
 * run up (each request is a Lambda invocation and DynamoDB reads).
 */
export const DEFAULT_THROTTLE_RATE = 50;
/** Requests the stage accepts at once above the steady rate (a page opening several collections). */
export const DEFAULT_THROTTLE_BURST = 100;

export interface OpsParameters {
  /** E-mail address alarms are sent to; empty means "no subscription". */
  readonly alarmEmail: CfnParameter;
  /** True when `alarmEmail` is set: the subscription exists only under it. */
  readonly hasAlarmEmail: CfnCondition;
  readonly throttleRate: CfnParameter;
  readonly throttleBurst: CfnParameter;
}

export function opsParameters(scope: Construct): OpsParameters {
  // Directly in the stack, like the configuration parameters, so the logical id is the name users type.
  const stack = Stack.of(scope);
  const alarmEmail = new CfnParameter(stack, 'AlarmEmail', {
    type: 'String',
    default: '',
    description: 'E-mail address the alarms are sent to (confirm the subscription mail). Empty: no e-mail.',
  });
  const hasAlarmEmail = new CfnCondition(stack, 'HasAlarmEmail', {
    expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
  });
  const throttleRate = new CfnParameter(stack, 'ApiThrottleRate', {
    type: 'Number',
    default: DEFAULT_THROTTLE_RATE,
    minValue: 1,
    description: 'Requests per second the HTTP API accepts from all callers together (steady state).',
  });
  const throttleBurst = new CfnParameter(stack, 'ApiThrottleBurst', {
    type: 'Number',
    default: DEFAULT_THROTTLE_BURST,
    minValue: 1,
    description: 'Requests the HTTP API accepts at once above the steady rate.',
  });
  return { alarmEmail, hasAlarmEmail, throttleRate, throttleBurst };
}
