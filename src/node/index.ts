// Node-only parts of sovroute.
export { serve } from './serve.js';
export type { ServeOptions } from './serve.js';
