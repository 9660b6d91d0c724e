/**
 * Issue 10, item 8: the embedded DynamoDB Local (the one globalSetup started for this run, the same
 * launcher `npm start` uses) answers on the loopback address only, refuses browsers from foreign
 * origins, and is never started listening everywhere when no JDK is there to bind it.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { CORS_ORIGIN, JdkMissingError, startDynamoLocal } from '../../bin/local/dynamodbLocal';

const endpoint = new URL(process.env.DYNAMODB_ENDPOINT!);
const port = Number(endpoint.port);

/** Every address of this machine that another host could use to reach it. */
const outward = Object.values(networkInterfaces())
  .flatMap((list) => list ?? [])
  .filter((a) => !a.internal && !a.address.startsWith('fe80:'))
  .map((a) => a.address);

/** 'open' when a TCP connection to host:port is accepted, else the error code. */
function probe(host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once('connect', () => (socket.destroy(), resolve('open')));
    socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('embedded DynamoDB Local', () => {
  it('answers on 127.0.0.1', async () => {
    expect(endpoint.hostname).toBe('127.0.0.1');
    expect(await probe('127.0.0.1')).toBe('open');
  });

  const reason = 'SKIPPED: this machine has no non-loopback address to probe from';
  (outward.length > 0 ? it : it.skip)(
    outward.length > 0 ? `is not reachable on ${outward.join(', ')}` : reason,
    async () => {
      for (const address of outward) expect([address, await probe(address)]).not.toEqual([address, 'open']);
    },
  );

  it.each(['https://evil.example', 'http://localhost:3000', 'null'])(
    'does not allow a CORS preflight from %s',
    async (origin) => {
      const res = await fetch(endpoint, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-amz-target,authorization',
        },
      });
      const allowed = res.headers.get('access-control-allow-origin');
      expect(allowed === '*' || allowed === origin).toBe(false);
    },
  );

  // The restriction is our explicit -cors setting, not a version's default: the one origin it names
  // (a reserved .invalid name no page can have) is the only one answered.
  it('allows CORS only for an origin no page can have', async () => {
    expect(new URL(CORS_ORIGIN).hostname.endsWith('.invalid')).toBe(true);
    const res = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: {
        Origin: CORS_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-amz-target,authorization',
      },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(CORS_ORIGIN);
  });

  it('refuses to start without a JDK instead of listening everywhere', async () => {
    // a `java` that is only a runtime: it lists no jdk.compiler module
    const dir = mkdtempSync(path.join(tmpdir(), 'jre-only-'));
    const fake = path.join(dir, 'java');
    writeFileSync(fake, '#!/bin/sh\necho java.base@17\nexit 0\n');
    chmodSync(fake, 0o755);
    await expect(startDynamoLocal({ java: fake, startTimeoutMs: 5000 })).rejects.toBeInstanceOf(
      JdkMissingError,
    );
  });
});
