import { describe, expect, it, vi } from 'vitest';
import { nextRequestId } from './ids.js';

describe('nextRequestId', () => {
  it('is req_ and 32 hex digits, different on every call', () => {
    const ids = Array.from({ length: 10_000 }, () => nextRequestId());
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('differs between processes: each module instance draws its own random prefix', async () => {
    const first = nextRequestId();
    vi.resetModules();
    const fresh = await import('./ids.js');
    const other = fresh.nextRequestId();
    expect(other.slice(0, 24)).not.toBe(first.slice(0, 24));
  });
});
