import type { BudgetLedger, LedgerAccount } from '../budgets/budget-ledger.js';
import { periodAt } from '../budgets/budget-period.js';

/*
 * Budgets counted in Redis, atomically for the fleet. Per key, currency and period: a hash with
 * `spent` and `reserved` (integer micro-units), a hash of reservations (request id → amount) and
 * a sorted set of when each reservation lapses, so a reservation whose instance died is released
 * by the next reserve. Times are Redis's own clock (TIME), the same for every instance, and so
 * are periods: each instance picks the period by its clock's offset from Redis's.
 *
 * The currency is part of the key: routers of one fleet that count in different currencies (or
 * one whose `currency` changed) keep separate counts, never adding euros to dollars.
 */

/** Releases the reservations that have lapsed (their instance died, or their settlement was lost): no request holds them. */
const releaseLapsed = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
  local amount = tonumber(redis.call('HGET', KEYS[2], id) or '0')
  redis.call('HINCRBY', KEYS[1], 'reserved', -amount)
  redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
`;

/**
 * Once per count, before it is first used: what a version that kept no currency in its budget
 * keys (KEYS[4], `bud:<key>:<period start>`) counted as spent for this key and period is added to
 * it, so an upgrade does not hand a key its limit again. Carried into each currency's count
 * (more counted, never less); the old key is left as it is.
 */
const carryLegacy = `
if redis.call('HSETNX', KEYS[1], 'carried', '1') == 1 then
  local old = redis.call('HGET', KEYS[4], 'spent')
  if old then redis.call('HINCRBY', KEYS[1], 'spent', old) end
  if tonumber(ARGV[5]) > 0 then redis.call('PEXPIREAT', KEYS[1], ARGV[5]) end
end
`;

const reserveScript = `${releaseLapsed}${carryLegacy}
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
local estimate = tonumber(ARGV[1])
if spent + reserved + estimate > tonumber(ARGV[2]) then return {0, spent, reserved} end
redis.call('HINCRBY', KEYS[1], 'reserved', estimate)
redis.call('HSET', KEYS[2], ARGV[3], estimate)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[3])
if tonumber(ARGV[5]) > 0 then
  for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[5]) end
end
return {1, spent, reserved + estimate}
`;

const settleScript = `
local amount = redis.call('HGET', KEYS[2], ARGV[1])
if amount then
  redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(amount))
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
-- Nothing spent (a failure, or a reservation given back): nothing to count, no key to create.
if tonumber(ARGV[2]) ~= 0 then
  redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2])
  -- The count may be new (Redis lost it, or it lapsed): it expires like one made by a reservation.
  if tonumber(ARGV[3]) > 0 then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
end
return 1
`;

/** What `router.usage()` reads: spent (with an old count not carried over yet), and reserved by reservations still held. */
const usageScript = `${releaseLapsed}
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
if redis.call('HEXISTS', KEYS[1], 'carried') == 0 then spent = spent + tonumber(redis.call('HGET', KEYS[4], 'spent') or '0') end
return {spent, tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')}
`;

/** How long a period's counts are kept after it ends, for `router.usage()` and audits. @unit milliseconds */
const graceMs = 7 * 86_400_000;

/** When a period's counts expire: `graceMs` after it ends; 0 (never) for `total`. @unit epoch milliseconds */
const expiresAt = (resetsAt: number | null) => (resetsAt === null ? 0 : resetsAt + graceMs);

/**
 * @param send a command that must reach Redis now.
 * @param sendSettlement a settlement: sent now, or kept and sent once Redis answers again when the
 * connection is down, so a request ending during an outage still has its cost counted.
 * @param sendRelease the release of a reservation that got no answer: sent now on a live
 * connection (behind the reservation, which Redis may still make), else dropped.
 * @param toFleet a time of this process as Redis's clock reads it: periods are the fleet's, so
 * an instance whose clock is off still counts in the day (week, month) the others count in.
 */

export function redisBudgetLedger(
  send: <T>(args: string[]) => Promise<T>,
  base: string,
  sendSettlement: (args: string[]) => Promise<void>,
  sendRelease: (args: string[]) => Promise<void>,
  toFleet: (time: number) => number,
): BudgetLedger {
  // The key id last: every field before it is free of ':', so no two accounts share a name.
  const keysOf = ({ keyId, period, currency }: LedgerAccount, start: number) => {
    const account = `${currency}:${period}:${start}:${keyId}`;
    return [`${base}bud:sum:${account}`, `${base}bud:amt:${account}`, `${base}bud:exp:${account}`];
  };
  // The count of the same key and period kept by versions whose keys had no currency (see carryLegacy).
  const legacyOf = ({ keyId }: LedgerAccount, start: number) => `${base}bud:${keyId}:${start}`;
  /**
   * Requests whose reservation got no answer, until the guard gives it back (at once). That release
   * is not kept for later like a settlement: while the connection is down every request of a
   * budgeted key is refused so, and their releases of nothing would fill the settlements kept
   * for Redis's return, pushing out those of requests that did spend.
   */
  const unanswered = new Set<string>();
  return {
    async reserve(request) {
      const { start, resetsAt } = periodAt(request.period, toFleet(Date.now()));
      let reply: number[];
      try {
        reply = await send<number[]>([
          'EVAL', reserveScript, '4', ...keysOf(request, start), legacyOf(request, start),
          String(request.estimate), String(request.limit), request.id, String(request.holdMs), String(expiresAt(resetsAt)),
        ]);
      } catch (error) {
        unanswered.add(request.id);
        throw error;
      }
      return { granted: Number(reply[0]) === 1, spent: Number(reply[1]), reserved: Number(reply[2]), resetsAt };
    },
    async settle(account, id, actual, now = Date.now()) {
      const { start, resetsAt } = periodAt(account.period, toFleet(now));
      const args = ['EVAL', settleScript, '3', ...keysOf(account, start), id, String(actual), String(expiresAt(resetsAt))];
      await (unanswered.delete(id) && actual === 0 ? sendRelease(args) : sendSettlement(args));
    },
    async usage(account) {
      const { start, resetsAt } = periodAt(account.period, toFleet(Date.now()));
      const [spent, reserved] = await send<number[]>(['EVAL', usageScript, '4', ...keysOf(account, start), legacyOf(account, start)]);
      return { spent: Number(spent ?? 0), reserved: Number(reserved ?? 0), resetsAt };
    },
  };
}
