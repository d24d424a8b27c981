import * as z from 'zod/mini';

/*
 * The shape of a deployment's jurisdiction facts, checked once where a provider enters the
 * library: openaiCompatible() for the providers it builds, createRouter for every provider (custom
 * adapters included). Policies read these facts unchecked afterwards, so a country that is not an
 * ISO code (`USA`) must be refused here rather than be read as "not US".
 */

const countryMessage = 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. FR';
const countryCode = z.string(countryMessage).check(z.regex(/^[A-Z]{2}$/, countryMessage));
const entity = z.looseObject({ name: z.string().check(z.minLength(1, 'must not be empty')), country: countryCode });

/** Zod schema of `JurisdictionFacts`; unknown extra fields are kept. */
export const jurisdictionSchema = z.looseObject({
  operator: z.looseObject({
    name: z.string().check(z.minLength(1, 'must not be empty')),
    country: countryCode,
    parents: z.optional(z.array(entity)),
  }),
  hosting: z.array(countryCode),
  subprocessors: z.optional(z.array(entity)),
  zeroRetention: z.optional(z.boolean()),
  verifiedAt: z.optional(z.string()),
  source: z.optional(z.string()),
});
