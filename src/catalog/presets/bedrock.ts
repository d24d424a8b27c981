import { InvalidRequestError } from '../../errors.js';
import { canonicalModelId } from '../../models/canonical.js';
import { bedrockConverseProvider } from '../../providers/bedrock/converse-provider.js';
import type { AwsCredentialSource } from '../../providers/bedrock/credentials.js';
import type { JurisdictionFacts, ModelOffer, Provider } from '../../providers/types.js';
import { bedrockModels, hostingOf } from './bedrock-models.js';
import { fromPreset, readEnv, resolvePreset, type PresetOptions } from './preset.js';

/** What `bedrock()` takes. */
export interface BedrockOptions extends Omit<PresetOptions, 'apiKey' | 'transport'> {
  /**
   * The AWS region requests go to and are signed for. It decides the built-in models (`eu.`
   * profiles from European regions, `us.` from US ones, in-region open-weight models) and so the
   * hosting facts.
   * @example 'eu-central-1'
   */
  region: string;
  /**
   * AWS credentials: keys, or a function returning them (called before each request; e.g.
   * `fromNodeProviderChain()` from `@aws-sdk/credential-providers` for SSO and roles).
   * @default AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the profile
   * AWS_PROFILE (or `default`) of ~/.aws/credentials; read at each call
   */
  credentials?: AwsCredentialSource | undefined;
  /**
   * A Bedrock API key, sent as a bearer token instead of signing. Ignored when `credentials` is given.
   * @default AWS_BEARER_TOKEN_BEDROCK, read at each call
   */
  apiKey?: string | undefined;
  /**
   * Another runtime endpoint (a VPC endpoint, a proxy, a test server); requests are signed for
   * its host. @default `https://bedrock-runtime.{region}.amazonaws.com`
   */
  baseURL?: string | undefined;
  /** Another provider id. @default `bedrock-{region}`, e.g. `bedrock-eu-central-1` */
  id?: string | undefined;
  /**
   * Models to add or change. An id Bedrock knows a model by (`eu.anthropic.claude-…-v1:0`,
   * an inference-profile ARN with `native`) is filed under its canonical id, so it competes
   * with the same model elsewhere. Hosting follows the ids: `eu.` profiles run in six EU
   * countries, bare ids in the region, `global.` ids and ARNs anywhere (hosting unknown).
   */
  models?: ModelOffer[] | undefined;
}

/** The AWS operator for customers in Europe, the Middle East and Africa, under a US parent. */
const operator: JurisdictionFacts['operator'] = {
  name: 'Amazon Web Services EMEA SARL',
  country: 'LU',
  parents: [{ name: 'Amazon.com, Inc.', country: 'US' }],
};
const sovereignOperator: JurisdictionFacts['operator'] = {
  name: 'AWS European Sovereign Cloud GmbH',
  country: 'DE',
  parents: [{ name: 'Amazon.com, Inc.', country: 'US' }],
};

function endpoint(region: string): string {
  const suffix = region.startsWith('eusc-') ? 'amazonaws.eu' : region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://bedrock-runtime.${region}.${suffix}`;
}

/** An offer given by a Bedrock id becomes the canonical model with that native id. */
function canonicalOffer(offer: ModelOffer): ModelOffer {
  if (offer.native !== undefined) return offer;
  const canonical = canonicalModelId(offer.id);
  return canonical === offer.id ? offer : { ...offer, id: canonical, native: offer.id };
}

/**
 * Amazon Bedrock in one region, through the Converse API, id `bedrock-{region}`: Amazon Web
 * Services EMEA SARL (Luxembourg) under Amazon.com, Inc. (US), so never `eu-sovereign`. From a
 * European region, Claude and Nova run through `eu.` inference profiles, anywhere in Germany,
 * Ireland, France, Sweden, Italy and Spain: `eu-hosted` holds. From a US region they run in the
 * US. Titan and Cohere embeddings through InvokeModel. Requests are signed with SigV4 (no AWS
 * SDK needed). USD list prices of the region.
 *
 * OpenAI chat requests are translated as for `anthropic()` (tools, tool_choice, images as
 * base64, stop, temperature 0–1, JSON through a forced tool); image URLs must be data: URLs.
 *
 * @example
 * const router = createRouter({ providers: [bedrock({ region: 'eu-central-1' })], policy: 'eu-hosted' });
 * await router.chat.completions.create({ model: 'claude-sonnet-4-6', messages });
 */
export function bedrock(options: BedrockOptions): Provider {
  const { region, credentials, apiKey, ...preset } = options ?? ({} as BedrockOptions);
  if (typeof region !== 'string' || !/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region)) {
    throw new InvalidRequestError(`bedrock: region must be an AWS region such as eu-central-1 (got ${JSON.stringify(region)})`, 'region');
  }
  const presetId = `bedrock-${region}`;
  const id = preset.id ?? presetId;
  const userModels = preset.models?.map(canonicalOffer);
  const builtIn = bedrockModels(region);
  const facts: JurisdictionFacts = {
    operator: region.startsWith('eusc-') ? sovereignOperator : operator,
    hosting: [],
    verifiedAt: '2026-12-05',
    source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/cross-region-inference.html',
  };
  const resolved = resolvePreset(
    { factory: 'bedrock', id, baseURL: endpoint(region), envVar: 'AWS_BEARER_TOKEN_BEDROCK', jurisdiction: facts, models: builtIn },
    { ...preset, models: userModels },
  );
  // Hosting is where any offered model may run: one model that may run anywhere makes it unknown.
  const places = resolved.models.map((offer) => hostingOf(offer.native ?? offer.id, region));
  const hosting = places.includes(undefined) ? [] : [...new Set(places.flatMap((place) => place ?? []))].sort();
  const jurisdiction = { ...resolved.jurisdiction, hosting: preset.jurisdiction?.hosting ?? hosting };
  const provider = bedrockConverseProvider({
    id: resolved.id,
    region,
    baseURL: resolved.baseURL,
    credentials,
    apiKey: apiKey ?? (() => readEnv('AWS_BEARER_TOKEN_BEDROCK')),
    jurisdiction,
    models: resolved.models,
    headers: resolved.headers,
    fetch: resolved.fetch,
    maxResponseBytes: resolved.maxResponseBytes,
    limits: resolved.limits,
  });
  return fromPreset(provider, presetId);
}
