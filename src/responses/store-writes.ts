/**
 * How keeping one response ended: `kept`; `failed` (the store threw or rejected, `error`);
 * `closed` (the router was closing before it began: nothing was written); `abandoned` (the
 * router closed while the write was still going, after waiting `audit.drainTimeoutMs`: it may
 * still land, but nobody waits for it).
 */
export type WriteOutcome = { kind: 'kept' } | { kind: 'failed'; error: unknown } | { kind: 'closed' } | { kind: 'abandoned' };

const kept: WriteOutcome = { kind: 'kept' };

/**
 * The response store's writes in flight, so that `router.close()` has a defined outcome for each
 * response: from the moment it is called no write begins (the response says `store: false`), and
 * it resolves once every write already begun has ended, or after `timeoutMs`, when the ones still
 * going are given up (their responses say `store: false` too). A response is therefore kept
 * before `close()` resolves, or it tells its caller it was not.
 */
export class StoreWrites {
  /** Each write in flight, with what gives it up. */
  readonly #pending = new Map<Promise<WriteOutcome>, () => void>();
  #closing: Promise<void> | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Runs `write` unless the router is closing; resolves with how it ended, never rejects. */
  async keep(write: () => void | Promise<void>): Promise<WriteOutcome> {
    if (this.#closing) return { kind: 'closed' };
    let giveUp!: () => void;
    const abandoned = new Promise<WriteOutcome>((resolve) => (giveUp = () => resolve({ kind: 'abandoned' })));
    const written = (async (): Promise<WriteOutcome> => {
      try {
        await write();
        return kept;
      } catch (error) {
        return { kind: 'failed', error };
      }
    })();
    this.#pending.set(written, giveUp);
    try {
      return await Promise.race([written, abandoned]);
    } finally {
      this.#pending.delete(written);
    }
  }

  /** Begins no more writes, and resolves once those in flight ended or were given up. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= this.#drain());
  }

  async #drain(): Promise<void> {
    if (this.#pending.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
    await Promise.race([Promise.all(this.#pending.keys()), timeout]);
    clearTimeout(timer);
    for (const giveUp of this.#pending.values()) giveUp();
  }
}
