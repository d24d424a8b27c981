import * as z from 'zod';

/*
 * The shape of a deployment's jurisdiction facts, checked once where a provider enters the
 * library: openaiCompatible() for the providers it builds, createRouter for every provider (custom
 * adapters included). Policies read these facts unchecked afterwards, so a country that is not an
 * ISO code (`USA`) must be refused here rather than be read as "not US".
 */

const countryCode = z
  .string('must be an ISO 3166-1 alpha-2 country code in capitals, e.g. FR')
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in capitals, e.g. FR');
const entity = z.looseObject({ name: z.string().min(1, 'must not be empty'), country: countryCode });

/** Zod schema of `JurisdictionFacts`; unknown extra fields are kept. */
export const jurisdictionSchema = z.looseObject({
  operator: z.looseObject({
    name: z.string().min(1, 'must not be empty'),
    country: countryCode,
    parents: z.array(entity).optional(),
  }),
  hosting: z.array(countryCode),
  subprocessors: z.array(entity).optional(),
  zeroRetention: z.boolean().optional(),
  verifiedAt: z.string().optional(),
  source: z.string().optional(),
});
