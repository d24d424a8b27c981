import { englishMessage, type Issue } from './issue.js';
import type { Shape } from './schema.js';

/** Words an issue that has no message of its own (zod's per-parse `error`). */
export type Describe = (issue: Issue) => string | undefined;

/** The message of an issue: its own, else `describe`'s, else zod's English. */
export function messageOf(issue: Issue, describe: Describe = englishMessage): string {
  return issue.message ?? describe(issue) ?? englishMessage(issue);
}

export type ParseResult<T> = { success: true; data: T } | { success: false; issues: Issue[] };

/** Checks `value` against `shape`: the output, or every issue in zod's order. */
export function safeParse<T = unknown>(shape: Shape, value: unknown): ParseResult<T> {
  const result = shape.run(value);
  return result.issues.length === 0 ? { success: true, data: result.value as T } : { success: false, issues: result.issues };
}

/** What a failed check keeps of its issues for debugging (a refusal's `cause`): code, path and message, never the input. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  readonly issues: readonly { code: Issue['code']; path: PropertyKey[]; message: string }[];

  constructor(issues: readonly Issue[], describe?: Describe) {
    const reported = issues.map((issue) => ({ code: issue.code, path: issue.path, message: messageOf(issue, describe) }));
    super(JSON.stringify(reported, (_key, value: unknown) => (typeof value === 'symbol' ? String(value) : value)));
    this.issues = reported;
  }
}
