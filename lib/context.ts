/** Reading CDK context values, which arrive as strings from `-c key=value` and as JSON from cdk.json. */
import type { Construct } from 'constructs';

/**
 * True only for an explicit "off" (false, "false", "0", "no"): a missing or mistyped value must
 * leave a safety setting on, never turn it off.
 */
export function contextOff(scope: Construct, key: string): boolean {
  const value: unknown = scope.node.tryGetContext(key);
  if (typeof value === 'boolean') return !value;
  return typeof value === 'string' && ['false', '0', 'no'].includes(value.trim().toLowerCase());
}

/** A non-empty string, or undefined. */
export function contextString(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A positive integer (number in cdk.json, string from `-c`), or undefined when unset or empty. */
export function contextPositiveInt(scope: Construct, key: string): number | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`context ${key} must be a positive integer, got ${String(value)}`);
  return n;
}
