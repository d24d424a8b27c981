/*
 * The Redis client behind `redisStore`: node-redis v6 (`@redis/client`), loaded only when a store
 * is created, so apps without Redis never install or load it.
 *
 * Both maintained Node clients wait forever on a hung server by default, and node-redis queues
 * commands while disconnected. The store needs the opposite: every command settles within
 * `commandTimeoutMs` (also after it was sent), and a command issued while disconnected fails at
 * once, so the store falls back to its local view instead of piling up work.
 */

/** The few commands the store sends; any client that can send a raw command fits. */
export interface RedisConnection {
  send<T = unknown>(args: string[]): Promise<T>;
  /** Calls `listener` with each message published on `channel`, on a connection of its own. */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  /** Whether the command connection is up now: a failed command on an up connection timed out (and may have run). */
  isReady(): boolean;
  /** Called on each connection error and each (re)connection, and at once with the latest of them, if any. */
  onState(listener: (state: { up: true } | { up: false; error: Error }) => void): void;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  commandTimeoutMs: number;
}

type RedisModule = typeof import('@redis/client');

export async function connectRedis(options: RedisConnectionOptions): Promise<RedisConnection> {
  let loaded: RedisModule;
  try {
    loaded = await import('@redis/client');
  } catch (error) {
    throw new Error(`sovroute/redis needs the @redis/client package (npm install @redis/client): ${error instanceof Error ? error.message : String(error)}`);
  }
  const listeners: Array<Parameters<RedisConnection['onState']>[0]> = [];
  let last: { up: true } | { up: false; error: Error } | undefined;
  const emit = (state: { up: true } | { up: false; error: Error }) => {
    last = state;
    listeners.forEach((listener) => listener(state));
  };
  const make = () => {
    const client = loaded.createClient({
      url: options.url,
      disableOfflineQueue: true,
      maintNotifications: 'disabled',
      commandOptions: { timeout: options.commandTimeoutMs, rejectInFlight: true },
      socket: {
        connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
        // Exponential up to 2 s: a Redis that comes back is found again within seconds.
        reconnectStrategy: (retries: number) => Math.min(2_000, 50 * 2 ** retries),
      },
    });
    // Without a listener an error event would crash the process.
    client.on('error', (error: Error) => emit({ up: false, error }));
    return client;
  };
  const makeCommands = () => {
    const made = make();
    made.on('ready', () => emit({ up: true }));
    return made;
  };
  let client = makeCommands();
  const subscriber = make();
  // The first connection may fail; the client keeps retrying in the background.
  const connecting = Promise.allSettled([client.connect(), subscriber.connect()]);
  await within(connecting, options.commandTimeoutMs * 5, 'connecting').catch(() => undefined);
  /*
   * A failover that demotes the primary leaves connections to it open, and it refuses every
   * write (READONLY) from then on: the client would stay there until the process restarts. A
   * new connection reaches whatever the URL names now (the DNS name a managed Redis moves to
   * the new primary). At most once a second, while the same answer keeps coming.
   */
  let closing = false;
  let reconnectedAt = 0;
  const reconnect = () => {
    if (closing || performance.now() - reconnectedAt < 1_000) return;
    reconnectedAt = performance.now();
    const old = client;
    client = makeCommands();
    client.connect().catch(() => undefined);
    old.destroy();
  };
  const send = async <T>(args: string[]): Promise<T> => {
    try {
      return await within(client.sendCommand(args) as Promise<T>, options.commandTimeoutMs, args[0]!);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('READONLY')) reconnect();
      throw error;
    }
  };
  return {
    send,
    subscribe: (channel, listener) =>
      within(
        subscriber.subscribe(channel, (message: string) => listener(message)),
        options.commandTimeoutMs,
        'SUBSCRIBE',
      ),
    isReady: () => client.isReady,
    onState: (listener) => {
      listeners.push(listener);
      // What happened while connecting, before anyone listened (a refused password), is told too.
      if (last !== undefined) listener(last);
    },
    // A polite close waits for replies a hung server never sends: after the timeout, drop the sockets.
    close: async () => {
      closing = true;
      const closed = Promise.allSettled([client.close(), subscriber.close()]);
      await within(closed, options.commandTimeoutMs, 'close').catch(() => {
        client.destroy();
        subscriber.destroy();
      });
    },
  };
}

/** Settles with `promise`, or rejects once `ms` have passed. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
