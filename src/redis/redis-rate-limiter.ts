import type { RateLimiter } from '../budgets/rate-limiter.js';

/*
 * Key rate limits counted in Redis for the fleet: GCRA as in rate-limiter.ts, in one script
 * over both limits (checked, then charged), on Redis's clock. Each TAT lives at most a minute
 * past its value. The tpm charge, an estimate, is corrected to the real usage when the request ends.
 * A TAT is written with all 17 digits of its double: Lua's tostring keeps 14, a tenth of a
 * millisecond of an epoch time, and the rounding of each charge added up over a burst let
 * through more, or fewer, than the limit.
 */

const script = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local period = 60000
local nexts = {}
for i = 1, 2 do
  local limit = tonumber(ARGV[i * 2 - 1])
  if limit > 0 then
    local tat = tonumber(redis.call('GET', KEYS[i]) or now)
    if tat < now then tat = now end
    local next = tat + tonumber(ARGV[i * 2]) * period / limit
    -- gcraSlackMs: a rounding error past the minute still admits a burst of exactly the limit.
    if next - now - period > math.min(1, period / limit / 2) then return {i, math.ceil(next - now - period)} end
    nexts[i] = next
  end
end
for i, next in pairs(nexts) do redis.call('SET', KEYS[i], string.format('%.17g', next), 'PX', math.ceil(next - now) + 1000) end
return {0, 0}
`;

/** Corrects a TAT by ARGV[1] tokens or requests (negative: a refund), never below now, as `gcraCorrect`. */
const settleScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next = tat + tonumber(ARGV[1]) * 60000 / tonumber(ARGV[2])
if next > now then redis.call('SET', KEYS[1], string.format('%.17g', next), 'PX', math.ceil(next - now) + 1000) else redis.call('DEL', KEYS[1]) end
return 1
`;

export function redisRateLimiter(send: <T>(args: string[]) => Promise<T>, base: string): RateLimiter {
  return {
    async take(keyId, limits, tokens) {
      const reply = await send<number[]>([
        'EVAL', script, '2', `${base}rl:${keyId}:rpm`, `${base}rl:${keyId}:tpm`,
        String(limits.rpm ?? 0), '1', String(limits.tpm ?? 0), String(tokens),
      ]);
      const which = Number(reply[0]);
      if (which === 0) return { allowed: true };
      return { allowed: false, limit: which === 1 ? 'rpm' : 'tpm', retryAfterMs: Number(reply[1]) };
    },
    async settle(keyId, tpm, delta) {
      await send(['EVAL', settleScript, '1', `${base}rl:${keyId}:tpm`, String(delta), String(tpm)]);
    },
    async refund(keyId, rpm) {
      await send(['EVAL', settleScript, '1', `${base}rl:${keyId}:rpm`, '-1', String(rpm)]);
    },
  };
}
