import * as s from '../internal/shape/index.js';

/**
 * A deployment's `limits` (`{ rpm, tpm }`, each at least 1: an attempt is one request of at least
 * one token, so less would never send anything), shared by the built-in adapters' settings.
 */
const rate = () => s.optional(s.number(s.minimum(1, 'must be at least 1: with less than one a minute no request ever fits')));
export const deploymentLimitsShape = s.optional(s.strictObject({ rpm: rate(), tpm: rate() }));
