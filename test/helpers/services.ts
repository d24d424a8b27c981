import { connect } from 'node:net';

/*
 * Real Redis and PostgreSQL for the tests that need them. Locally a missing service skips those
 * tests with one line saying why; under CI=true it fails the run, so CI cannot pass without them.
 */

export const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Whether something accepts TCP connections at the URL's host and port, within `timeoutMs`. */
function answers(url: string, defaultPort: number, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(port) || defaultPort });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves to a reason to skip when the service does not answer, or to undefined when it does.
 * Under CI=true a missing service throws instead.
 */
async function serviceSkip(name: string, url: string, variable: string, defaultPort: number): Promise<string | undefined> {
  if (await answers(url, defaultPort)) return undefined;
  const reason = `${name} does not answer at ${new URL(url).host} (set ${variable}, or start ${name})`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI requires it`);
  console.warn(`skipped: ${reason}`);
  return reason;
}

export const postgresSkip = () => serviceSkip('PostgreSQL', databaseUrl, 'DATABASE_URL', 5432);
export const redisSkip = () => serviceSkip('Redis', redisUrl, 'REDIS_URL', 6379);

/** A name unique to this test run, for a schema or key prefix of its own. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}
