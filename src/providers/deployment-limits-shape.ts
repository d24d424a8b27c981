import * as s from '../internal/shape/index.js';

/** A deployment's `limits` (`{ rpm, tpm }`, each positive), shared by the built-in adapters' settings. */
export const deploymentLimitsShape = s.optional(s.strictObject({ rpm: s.optional(s.number(s.positive())), tpm: s.optional(s.number(s.positive())) }));
