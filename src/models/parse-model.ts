import { InvalidRequestError, ModelNotFoundError } from '../errors.js';
import { closestName } from './suggest.js';

/**
 * What a `model` string asks for, parsed left to right (DESIGN §2):
 *
 * | tier     | form                                  | example                              |
 * |----------|---------------------------------------|--------------------------------------|
 * | `1`      | `{provider}/{model}`                  | `mistral-ai/mistral-large-latest`    |
 * | `2`      | `{jurisdiction}/{model}`              | `eu-sovereign/llama-3.3-70b-instruct`|
 * | `2+`     | `{jurisdiction}-{strategy}/{model}`   | `eu-hosted-cheapest/gpt-4o`          |
 * | `3`      | `{jurisdiction}/{strategy}`           | `eu-sovereign/cheapest`              |
 * | `auto`   | `auto`, `auto:cheap|fast|quality`     | `auto:fast`                          |
 * | `pinned` | `{model}` (may itself contain `/`)    | `meta-llama/Llama-3.3-70B-Instruct`  |
 */
export type RouteSpec =
  | { tier: '1'; provider: string; model: string }
  | { tier: '2'; jurisdiction: string; model: string }
  | { tier: '2+'; jurisdiction: string; strategy: string; model: string }
  | { tier: '3'; jurisdiction: string; strategy: string }
  /** `auto` alone carries no strategy: the router's own (`options.strategy`) ranks. */
  | { tier: 'auto'; strategy?: string }
  | { tier: 'pinned'; model: string };

/** The names a model string may use; all known at `createRouter`. */
export interface ModelVocabulary {
  hasProvider(id: string): boolean;
  /** Whether that provider lists the model (by canonical or native id). */
  providerServes(providerId: string, model: string): boolean;
  /** Whether any provider serves the model (by canonical or native id). */
  isKnownModel(model: string): boolean;
  /** Whether some provider lists exactly this id (case aside), not only its bare name. */
  isListedModel(model: string): boolean;
  hasJurisdiction(name: string): boolean;
  /** Resolves a strategy name or alias (`cheap` → `cheapest`), or undefined. */
  strategy(name: string): string | undefined;
  describe(): { providers: string[]; jurisdictions: string[]; strategies: string[] };
}

const autoClasses: Readonly<Record<string, string | undefined>> = {
  auto: undefined,
  'auto:cheap': 'cheapest',
  'auto:fast': 'fastest',
  'auto:quality': 'quality',
};

export function parseModel(model: string, vocabulary: ModelVocabulary): RouteSpec {
  const value = model.trim();
  if (value.length === 0) throw new InvalidRequestError('model must not be empty', 'model');
  if (value !== model) throw new InvalidRequestError(`model "${model}" has leading or trailing whitespace`, 'model');

  if (value === 'auto' || value.startsWith('auto:')) {
    if (!Object.hasOwn(autoClasses, value)) {
      throw new InvalidRequestError(
        `unknown auto class "${value}"; use one of ${Object.keys(autoClasses).join(', ')}`,
        'model',
      );
    }
    const strategy = autoClasses[value];
    return strategy === undefined ? { tier: 'auto' } : { tier: 'auto', strategy };
  }

  const slash = value.indexOf('/');
  if (slash === -1) return { tier: 'pinned', model: value };
  const prefix = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  if (prefix.length === 0 || rest.length === 0 || rest.startsWith('/')) {
    throw new InvalidRequestError(
      `model "${value}" has an empty part; expected {provider}/{model}, {jurisdiction}/{model} or {jurisdiction}/{strategy}`,
      'model',
    );
  }

  if (vocabulary.hasProvider(prefix)) {
    // A namespaced model id such as `openai/gpt-oss-120b` may start with a provider id; when
    // that provider does not serve it but others list the whole string, it is a pinned model.
    // Only a whole id some provider lists: `openai/llama-3.3-70b-instruct` names OpenAI, and must
    // not become a pinned llama served by someone else because `openai` is also a namespace.
    if (!vocabulary.providerServes(prefix, rest) && vocabulary.isListedModel(value)) return { tier: 'pinned', model: value };
    return { tier: '1', provider: prefix, model: rest };
  }

  if (vocabulary.hasJurisdiction(prefix)) {
    const strategy = vocabulary.strategy(rest);
    if (strategy !== undefined && !vocabulary.isKnownModel(rest)) return { tier: '3', jurisdiction: prefix, strategy };
    return { tier: '2', jurisdiction: prefix, model: rest };
  }

  const combined = splitJurisdictionStrategy(prefix, vocabulary);
  if (combined !== undefined) {
    if (vocabulary.strategy(rest) !== undefined && !vocabulary.isKnownModel(rest)) {
      throw new InvalidRequestError(
        `model "${value}" names a strategy twice; use ${combined.jurisdiction}/${rest} or ${prefix}/{model}`,
        'model',
      );
    }
    return { tier: '2+', ...combined, model: rest };
  }

  if (vocabulary.isKnownModel(value)) return { tier: 'pinned', model: value };

  const known = vocabulary.describe();
  throw new ModelNotFoundError(
    `model "${value}" is unknown: "${prefix}" is not a provider (${known.providers.join(', ') || 'none configured'}), ` +
      `a jurisdiction (${known.jurisdictions.join(', ')}) or {jurisdiction}-{strategy} ` +
      `(strategies: ${known.strategies.join(', ')}), and no provider serves a model with that id${prefixHint(prefix, rest, known)}`,
  );
}

/** The longest prefix a hint is looked for: each of its dashes is a cut to try. @unit characters */
const maxHintedPrefix = 256;

/**
 * What a prefix that names nothing probably meant: a provider or jurisdiction misspelt
 * (`eu-sovereing`), or `{jurisdiction}-{strategy}` with either part misspelt
 * (`eu-hosted-cheapst`, `eu-hostd-cheapest`). Empty when nothing is close.
 */
function prefixHint(prefix: string, rest: string, known: ReturnType<ModelVocabulary['describe']>): string {
  if (prefix.length > maxHintedPrefix) return '';
  const meant = closestName(prefix, [...known.jurisdictions, ...known.providers]);
  if (meant !== undefined) return `; did you mean "${meant}/${rest}"?`;
  for (let dash = prefix.indexOf('-'); dash !== -1; dash = prefix.indexOf('-', dash + 1)) {
    const jurisdiction = closestName(prefix.slice(0, dash), known.jurisdictions);
    const strategy = jurisdiction && closestName(prefix.slice(dash + 1), known.strategies);
    if (strategy !== undefined) return `; did you mean "${jurisdiction}-${strategy}/${rest}"?`;
  }
  return '';
}

/**
 * `eu-hosted-cheapest` → `{ jurisdiction: 'eu-hosted', strategy: 'cheapest' }`. Tries each known
 * jurisdiction as the part before a `-` (the longest that fits wins), rather than every `-` of
 * the prefix: looking up each cut of a prefix made of dashes would cost its length squared.
 */
function splitJurisdictionStrategy(
  prefix: string,
  vocabulary: ModelVocabulary,
): { jurisdiction: string; strategy: string } | undefined {
  let found: { jurisdiction: string; strategy: string } | undefined;
  for (const jurisdiction of vocabulary.describe().jurisdictions) {
    if (found !== undefined && jurisdiction.length <= found.jurisdiction.length) continue;
    if (jurisdiction.length === 0 || prefix.length <= jurisdiction.length + 1) continue;
    if (prefix[jurisdiction.length] !== '-' || !prefix.startsWith(jurisdiction)) continue;
    const strategy = vocabulary.strategy(prefix.slice(jurisdiction.length + 1));
    if (strategy !== undefined) found = { jurisdiction, strategy };
  }
  return found;
}
