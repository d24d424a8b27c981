import * as s from '../internal/shape/index.js';

/**
 * An `rpm` or `tpm`, a deployment's or a key's: at least 1, since a request is one request of at
 * least one token, so less would never let anything through.
 */
export const optionalRate = () => s.optional(s.number(s.minimum(1, 'must be at least 1: with less than one a minute no request ever fits')));

/** A deployment's `limits` (`{ rpm, tpm }`), shared by the built-in adapters' settings. */
export const deploymentLimitsShape = s.optional(s.strictObject({ rpm: optionalRate(), tpm: optionalRate() }));
