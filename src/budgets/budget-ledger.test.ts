import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryBudgetLedger } from './budget-ledger.js';

const day = 86_400_000;
const holdMs = 120_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('the in-memory budget ledger', () => {
  it('keeps no entry for a period nobody can ask about any more: a daily budget over a year holds one day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2026, 0, 1, 12);
    const ledger = memoryBudgetLedger();
    for (let index = 0; index < 365; index++) {
      vi.setSystemTime(start + index * day);
      for (const keyId of ['team-a', 'team-b']) {
        const reserved = await ledger.reserve({ keyId, period: 'day', currency: 'EUR', id: `r${index}`, estimate: 10, limit: 1_000, holdMs });
        expect(reserved.granted).toBe(true);
        await ledger.settle({ keyId, period: 'day', currency: 'EUR' }, `r${index}`, 7);
      }
    }
    // Today's entry of each key; the 364 days before are gone.
    expect(ledger.size).toBe(2);
    expect(await ledger.usage({ keyId: 'team-a', period: 'day', currency: 'EUR' })).toEqual({ spent: 7, reserved: 0 });
  });

  it('still settles a request reserved just before its period ended into that period, within the hold', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const midnight = Date.UTC(2026, 5, 2);
    const ledger = memoryBudgetLedger();
    vi.setSystemTime(midnight - 1_000);
    const reservedAt = Date.now();
    await ledger.reserve({ keyId: 'team-a', period: 'day', currency: 'EUR', id: 'late', estimate: 10, limit: 15, holdMs });
    vi.setSystemTime(midnight + 1_000);
    // Another request of the new day opens its entry while the old one still holds a reservation.
    await ledger.reserve({ keyId: 'team-a', period: 'day', currency: 'EUR', id: 'early', estimate: 10, limit: 15, holdMs });
    await ledger.settle({ keyId: 'team-a', period: 'day', currency: 'EUR' }, 'late', 9, reservedAt);
    expect(ledger.size).toBe(2);
    // The old day is dropped once its reservations would have lapsed anyway.
    vi.setSystemTime(midnight + holdMs + 500);
    await ledger.reserve({ keyId: 'team-a', period: 'day', currency: 'EUR', id: 'next', estimate: 1, limit: 15, holdMs });
    expect(ledger.size).toBe(1);
    expect(await ledger.usage({ keyId: 'team-a', period: 'day', currency: 'EUR' })).toEqual({ spent: 0, reserved: 11 });
  });

  it('keeps a total budget for good', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const ledger = memoryBudgetLedger();
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    await ledger.reserve({ keyId: 'team-a', period: 'total', currency: 'EUR', id: 'a', estimate: 10, limit: 100, holdMs });
    await ledger.settle({ keyId: 'team-a', period: 'total', currency: 'EUR' }, 'a', 10);
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    await ledger.reserve({ keyId: 'team-b', period: 'day', currency: 'EUR', id: 'b', estimate: 10, limit: 100, holdMs });
    expect(await ledger.usage({ keyId: 'team-a', period: 'total', currency: 'EUR' })).toEqual({ spent: 10, reserved: 0 });
  });
});
