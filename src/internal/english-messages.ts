import type * as z from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod's English issue messages (`Too small: expected number to be >=0`), passed to each parse
 * of the library's own schemas. zod/mini installs no language; classic zod installs English
 * globally when anything imports it. Passed per parse, the words a caller reads are the same
 * whether or not the app imports classic zod, and whatever it configured globally.
 */
export const englishMessages: z.core.$ZodErrorMap = en().localeError;
