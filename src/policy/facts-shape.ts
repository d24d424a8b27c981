import * as s from '../internal/shape/index.js';

/*
 * The shape of a deployment's jurisdiction facts, checked once where a provider enters the
 * library: openaiCompatible() for the providers it builds, createRouter for every provider (custom
 * adapters included). Policies read these facts unchecked afterwards, so a country that is not an
 * ISO code (`USA`) must be refused here rather than be read as "not US". The same rules as
 * `jurisdictionSchema()` (facts-schema.ts, zod), which the other adapters use; a test holds the
 * two to the same answers.
 */

const countryMessage = 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. FR';
const countryCode = s.stringWithError(countryMessage, s.regex(/^[A-Z]{2}$/, countryMessage));
const name = () => s.string(s.minLength(1, 'must not be empty'));
const entity = s.looseObject({ name: name(), country: countryCode });

/** `JurisdictionFacts`; unknown extra fields are kept. */
export const jurisdictionShape = s.looseObject({
  operator: s.looseObject({ name: name(), country: countryCode, parents: s.optional(s.array(entity)) }),
  hosting: s.array(countryCode),
  subprocessors: s.optional(s.array(entity)),
  zeroRetention: s.optional(s.boolean()),
  verifiedAt: s.optional(s.string()),
  source: s.optional(s.string()),
});
