/** One-line JSON logs (CloudWatch on AWS, the terminal locally). LOG_LEVEL=silent mutes them (tests). */

export type Level = 'info' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (process.env.LOG_LEVEL === 'silent') return;
  const line = `${JSON.stringify({ level, message, ...fields })}\n`;
  if (level === 'error') process.stderr.write(line);
  else process.stdout.write(line);
}

export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error
    ? { error: err.name, detail: err.message, stack: err.stack }
    : { error: String(err) };
}
