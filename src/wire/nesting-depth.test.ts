import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import { assertNestingDepth } from './nesting-depth.js';

/** `levels` arrays, one inside the other. */
function nested(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
}

describe('assertNestingDepth', () => {
  it('accepts a body exactly at the limit and refuses one level more, counting the body as 1', () => {
    expect(() => assertNestingDepth({ field: nested(3) }, 4)).not.toThrow();
    expect(() => assertNestingDepth({ field: nested(4) }, 4)).toThrow(InvalidRequestError);
    expect(() => assertNestingDepth({ field: 'text', other: 1 }, 1)).not.toThrow();
    expect(() => assertNestingDepth({ field: {} }, 1)).toThrow(InvalidRequestError);
  });

  it('names the field holding the deep part and the option that raises the limit', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: 'x', junk: nested(100) }] };
    const check = () => assertNestingDepth(body, 64);
    expect(check).toThrow(expect.objectContaining({ param: 'messages[1].junk', status: 400, code: 'invalid_request' }));
    expect(check).toThrow('the request nests objects and arrays more than 64 levels deep (at messages[1].junk); the limit is 64 (limits.maxDepth)');
  });

  it('walks a body far deeper than the stack allows without overflowing', () => {
    expect(() => assertNestingDepth({ junk: nested(1_000_000) }, 64)).toThrow(/limits\.maxDepth/);
    expect(() => assertNestingDepth({ junk: nested(1_000_000) }, 2_000_000)).not.toThrow();
  });

  it('stops at the first container past the limit, reading nothing after it', () => {
    let reads = 0;
    const body = {
      deep: nested(10),
      get later() {
        reads++;
        return { more: [] };
      },
    };
    expect(() => assertNestingDepth(body, 5)).toThrow(/\(at deep\)/);
    expect(reads).toBe(0);
  });

  it('refuses a cycle (possible in process) instead of looping', () => {
    const body: Record<string, unknown> = { model: 'm' };
    body.self = body;
    expect(() => assertNestingDepth(body, 64)).toThrow(/\(at self\.self\.self\.self\)/);
  });
});
