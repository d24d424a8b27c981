import type { DeploymentLimits } from '../../budgets/deployment-limits.js';
import { RouterError } from '../../errors.js';
import { anthropicMessagesProvider } from '../anthropic/messages-provider.js';
import { redactError } from '../held-secrets.js';
import { openaiCompatible } from '../openai-compatible.js';
import { mapStream } from '../../streaming/mapped-stream.js';
import type { CallOptions, ChatResult, ChatStreamResult, JurisdictionFacts, ModelOffer, Provider } from '../types.js';
import { withAccessAdvice } from './access-advice.js';
import { AccessTokens, tokenFetch, type AccessTokenSource } from './access-token.js';
import { claudeOnVertexFetch } from './claude-fetch.js';
import { withGeminiToolCalls } from './gemini-tool-calls.js';

/** A resolved Vertex AI deployment: what `vertex()` builds from its options and defaults. */
export interface VertexSettings {
  id: string;
  /** The Google Cloud project, named in the advice of a 403. */
  project: string;
  /** `https://{host}/v1/projects/{project}/locations/{location}`: both APIs hang off it. */
  locationRoot: string;
  accessToken?: AccessTokenSource | undefined;
  jurisdiction: JurisdictionFacts;
  models: ModelOffer[];
  headers?: Record<string, string> | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** Largest non-streamed answer read. @default 67108864 (64 MiB) @unit bytes */
  maxResponseBytes?: number | undefined;
  /** The deployment's rate limits (the quota with the vendor), which routing respects: Gemini and Claude together. */
  limits?: DeploymentLimits | undefined;
  /** `max_tokens` for Claude requests that set none (the Messages API requires one). */
  defaultMaxTokens: number;
  /** Set when the deployment cannot be called (no project): every call fails with this error, without fetching a token. */
  unavailable?: (() => RouterError) | undefined;
  /** Why the deployment cannot be called, when its configuration is incomplete. */
  missingConfiguration?: (() => string | undefined) | undefined;
}

/** Claude models go to Anthropic's publisher endpoint; everything else to the OpenAI-compatible one. */
export const isClaude = (native: string): boolean => /^(anthropic\/)?claude-/.test(native);

/**
 * Vertex AI in one location: Gemini (and other Model Garden models) through Vertex's
 * OpenAI-compatible `endpoints/openapi/chat/completions`, Claude through `rawPredict` /
 * `streamRawPredict` with the Anthropic translation. One token cache serves both.
 */
export function vertexProvider(settings: VertexSettings): Provider {
  const { id, locationRoot } = settings;
  const tokens = new AccessTokens(id, settings.accessToken);
  const unavailable = settings.unavailable;
  const authorized: typeof globalThis.fetch =
    unavailable === undefined
      ? withAccessAdvice(id, settings.project, tokenFetch(tokens, () => settings.fetch ?? globalThis.fetch))
      : () => Promise.reject(unavailable());
  const claudeModels = settings.models.filter((offer) => isClaude(offer.native ?? offer.id));
  const otherModels = settings.models.filter((offer) => !isClaude(offer.native ?? offer.id));
  const publisherRoot = `${locationRoot}/publishers/anthropic`;

  const openai = withGeminiToolCalls(openaiCompatible({
    id,
    baseURL: `${locationRoot}/endpoints/openapi`,
    jurisdiction: settings.jurisdiction,
    models: otherModels,
    headers: settings.headers,
    fetch: authorized,
    maxResponseBytes: settings.maxResponseBytes,
  }));
  const claude = anthropicMessagesProvider({
    id,
    baseURL: publisherRoot,
    apiKey: () => undefined,
    jurisdiction: settings.jurisdiction,
    models: claudeModels,
    headers: settings.headers,
    fetch: claudeOnVertexFetch(publisherRoot, authorized),
    defaultMaxTokens: settings.defaultMaxTokens,
    maxResponseBytes: settings.maxResponseBytes,
    // Checked there; the deployment's own limits are this provider's.
    limits: settings.limits,
    // rawPredict refuses URL sources ("URL sources are not supported").
    imageURLsRefusedBy: 'Claude on Vertex AI',
  });
  const route = (model: string) => (isClaude(model) ? claude : openai);
  const scrubError = (error: unknown): unknown => (RouterError.isInstance(error) ? redactError(error, tokens.held) : error);
  const scrub = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      throw scrubError(error);
    });

  return {
    specificationVersion: 'v1',
    id,
    jurisdiction: settings.jurisdiction,
    models: Object.freeze([...settings.models]),
    limits: claude.limits,
    missingConfiguration: () => settings.missingConfiguration?.(),
    // Only Claude's translation refuses anything; Gemini's requests pass through.
    checkChat: (request) => route(request.model).checkChat?.(request),
    doChat: (request, call: CallOptions): Promise<ChatResult> => scrub(route(request.model).doChat(request, call)),
    doChatStream: async (request, call: CallOptions): Promise<ChatStreamResult> => {
      const result = await scrub(route(request.model).doChatStream(request, call));
      // An error event mid-stream may quote the token too.
      return { ...result, chunks: mapStream(result.chunks, { map: (chunk) => [chunk], mapError: scrubError }) };
    },
  };
}
