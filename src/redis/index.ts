// sovroute/redis: routing health shared by a fleet of routers through Redis.
// Needs the `@redis/client` package (npm install @redis/client).
export { redisStore } from './redis-store.js';
export type { RedisStore, RedisStoreOptions } from './redis-store.js';
