// Node-only parts of sovroute.
export { serve } from './serve.js';
export type { CorsOptions, ServeOptions } from './serve.js';

// Audit files
export { jsonlAudit } from './jsonl-audit.js';
export { readAuditFile, verifyAuditFile, exportAuditFile } from './audit-file.js';
export type { JsonlAudit } from './jsonl-audit.js';
export type { JsonlAuditOptions } from './jsonl-audit-options.js';
export type { AuditFileExport, AuditFileVerification } from './audit-file.js';

// Configuration files
export { loadConfig, loadGatewayConfig } from './config/load-config.js';
export { ConfigError } from './config/config-error.js';
export type { GatewayConfig } from './config/load-config.js';
export type { SovrouteConfig } from './config/config-schema.js';
