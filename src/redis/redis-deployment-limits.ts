import type { ReserveDeployment } from '../budgets/deployment-limits.js';

/*
 * Deployment limits counted in Redis for the fleet, exactly: per limit a sliding log (a sorted
 * set of the attempts admitted in the window, scored by when, each member `<cost>:<id>`) and
 * the sum of its costs. One script prunes what left the window, checks every limit, then
 * admits the attempt into each, on Redis's clock. Mirrors `createDeploymentLimiter`'s local log.
 */

const script = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[5])
local function costOf(member) return tonumber(string.match(member, '^(%d+):')) end
local function waitFor(log, sum, cost, limit)
  if cost > limit then return window end
  local excess = sum + cost - limit
  if excess <= 0 then return 0 end
  local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
  for j = 1, #entries, 2 do
    excess = excess - costOf(entries[j])
    if excess <= 0 then return math.max(1, tonumber(entries[j + 1]) + window - now) end
  end
  return window
end
local sums = {}
for i = 1, 2 do
  local limit = tonumber(ARGV[i * 2 - 1])
  if limit > 0 then
    local log, total = KEYS[i * 2 - 1], KEYS[i * 2]
    local sum = 0
    if redis.call('EXISTS', log) == 1 then sum = tonumber(redis.call('GET', total) or '0') end
    local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
    if #expired > 0 then
      for _, member in ipairs(expired) do sum = sum - costOf(member) end
      redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
      redis.call('SET', total, tostring(sum), 'PX', window + 1000)
    end
    sums[i] = sum
    local cost = tonumber(ARGV[i * 2])
    if sum + cost > limit then return {i, waitFor(log, sum, cost, limit), 0} end
  end
end
local full = {0, 0}
for i, sum in pairs(sums) do
  local log, total = KEYS[i * 2 - 1], KEYS[i * 2]
  local limit, cost = tonumber(ARGV[i * 2 - 1]), tonumber(ARGV[i * 2])
  redis.call('ZADD', log, now, tostring(cost) .. ':' .. ARGV[6])
  redis.call('SET', total, tostring(sum + cost), 'PX', window + 1000)
  redis.call('PEXPIRE', log, window + 1000)
  full[i] = waitFor(log, sum + cost, cost, limit)
end
return {0, full[1], full[2]}
`;

/**
 * Takes one attempt (member ARGV[3]) out of both logs again, for an attempt that was never sent;
 * its cost leaves the sum only if it was still in the log (a pruned one already left it).
 */
const releaseScript = `
for i = 1, 2 do
  local log, total = KEYS[i * 2 - 1], KEYS[i * 2]
  local cost = tonumber(ARGV[i])
  if redis.call('ZREM', log, tostring(cost) .. ':' .. ARGV[3]) == 1 then
    local sum = tonumber(redis.call('GET', total) or '0') - cost
    if sum < 0 then sum = 0 end
    redis.call('SET', total, tostring(sum), 'PX', ARGV[4])
  end
end
return 1
`;

/**
 * @param send resolves to undefined when Redis is not connected; throws when a command on a live
 * connection got no answer in time (it may have run).
 */
export function redisDeploymentLimits(send: <T>(args: string[]) => Promise<T | undefined>, base: string, instanceId: string): ReserveDeployment {
  // Members must be unique in the fleet's log, also between instances given the same
  // `instanceId` (or one restarted under it): a member added twice is counted in the sum twice
  // but leaves the window once, and the phantom cost would hold the limit from then on.
  const member = `${instanceId}:${Math.random().toString(36).slice(2, 10)}`;
  let sequence = 0;
  return async (providerId, limits, tokens, windowMs) => {
    const name = `${base}dl:${providerId}`;
    const keys = [`${name}:rpm`, `${name}:rpm:sum`, `${name}:tpm`, `${name}:tpm:sum`];
    const cost = Math.max(0, Math.ceil(tokens));
    const id = `${member}:${sequence++}`;
    // A limit that is not set has no log: cost 0 there matches no member.
    const release = () =>
      void send(['EVAL', releaseScript, '4', ...keys, limits.rpm === undefined ? '0' : '1', limits.tpm === undefined ? '0' : String(cost), id, String(windowMs + 1000)]).catch(() => undefined);
    let reply: number[] | undefined;
    try {
      reply = await send<number[]>(['EVAL', script, '4', ...keys, String(limits.rpm ?? 0), '1', String(limits.tpm ?? 0), String(cost), String(windowMs), id]);
    } catch {
      // Redis may still make the reservation: the attempt is not sent, so the release follows it
      // on the same connection and takes it out again.
      release();
      return { granted: 'unknown' };
    }
    if (reply === undefined) return undefined;
    const which = Number(reply[0]);
    if (which === 0) return { granted: true, fullForMs: { rpm: Number(reply[1]), tpm: Number(reply[2]) }, release };
    return { granted: false, limit: which === 1 ? 'rpm' : 'tpm', retryAfterMs: Number(reply[1]) };
  };
}
