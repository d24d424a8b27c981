import { InvalidRequestError } from '../errors.js';

/*
 * The nesting depth of a request, checked before anything walks it recursively (zod, the audit
 * hash, JSON.stringify in an adapter): a body nested thousands deep would otherwise overflow the
 * stack in whichever of them reached it first. Iterative, with an explicit stack that never
 * holds more than `limit` frames, so the check itself cannot overflow, and it stops at the first
 * container past the limit instead of walking the rest of the body.
 */

/** One container being walked: its own enumerable keys (indexes for arrays) and the next one to visit. */
interface Frame {
  value: object;
  keys: readonly string[] | undefined;
  next: number;
  /** The key under which this container sits in its parent, for the error's `param`. */
  key: string | number | undefined;
}

/** Segments of the path kept in `param`: enough to name the field, short whatever the keys. */
const paramSegments = 4;
const paramLength = 200;

/**
 * Throws a 400 `invalid_request` naming `limits.maxDepth` when `body` holds objects or arrays
 * nested deeper than `limit` (the body itself is depth 1). Cycles (possible in-process) are
 * infinitely deep, so they are refused too.
 */
export function assertNestingDepth(body: unknown, limit: number): void {
  if (typeof body !== 'object' || body === null) return;
  const stack: Frame[] = [frame(body, undefined)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const length = top.keys === undefined ? (top.value as unknown[]).length : top.keys.length;
    if (top.next >= length) {
      stack.pop();
      continue;
    }
    const index = top.next++;
    const key = top.keys === undefined ? index : top.keys[index]!;
    const child = (top.value as Record<string | number, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    if (stack.length >= limit) throw tooDeep([...stack.slice(1).map((entry) => entry.key!), key], limit);
    stack.push(frame(child, key));
  }
}

function frame(value: object, key: string | number | undefined): Frame {
  return { value, keys: Array.isArray(value) ? undefined : Object.keys(value), next: 0, key };
}

/**
 * `['messages', 0, 'junk', 0, 0, …]` → `messages[0].junk`: the field holding the too-deep part,
 * read from the first few segments up to the last named one.
 */
function tooDeep(path: ReadonlyArray<string | number>, limit: number): InvalidRequestError {
  const head = path.slice(0, paramSegments);
  let named = head.length;
  while (named > 0 && typeof head[named - 1] === 'number') named--;
  let param = '';
  for (const part of head.slice(0, named)) param += typeof part === 'number' ? `[${part}]` : param === '' ? part : `.${part}`;
  if (param.length > paramLength) param = `${param.slice(0, paramLength)}…`;
  return new InvalidRequestError(
    `the request nests objects and arrays more than ${limit} levels deep${param === '' ? '' : ` (at ${param})`}; the limit is ${limit} (limits.maxDepth)`,
    param === '' ? null : param,
  );
}
