import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** The chat request every contender sends. */
export const body = {
  model: 'bench-model',
  messages: [
    { role: 'system' as const, content: 'You are a careful assistant for a data-protection team.' },
    { role: 'user' as const, content: 'Summarise the data-processing agreement in one sentence.' },
    { role: 'assistant' as const, content: 'It covers customer data processed in the EU.' },
    { role: 'user' as const, content: 'And its duration?' },
  ],
};
export const json = JSON.stringify(body);
/** The streamed request; the upstream answers with `max_tokens` chunks. */
export const streamBody = (chunks: number) => ({ ...body, stream: true as const, max_tokens: chunks });
export const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
export const price = { input: 0.1, output: 0.3, currency: 'EUR' as const };

/** Starts bench/upstream.ts in a child process (so its CPU is not the client's) and returns its base URL. */
export async function startUpstream(mode: 'answer' | 'hold' = 'answer'): Promise<{ baseURL: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./upstream.ts', import.meta.url).pathname, '100', mode], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [firstLine] = (await once(child.stdout!, 'data')) as [Buffer];
  return { baseURL: `http://127.0.0.1:${firstLine.toString().trim()}/v1`, child };
}

/** A seeded shuffle, so that no contender always runs right after another (a warm-cache bias). */
let seed = 42;
export function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = seed % (index + 1);
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/** The median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
/** The q-quantile, nearest rank below. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

/** A number from the environment, or the default. */
export const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
