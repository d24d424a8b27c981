import { InvalidRequestError, RouterError } from '../../errors.js';
import * as s from '../../internal/shape/index.js';
import { jurisdictionShape } from '../../policy/facts-shape.js';
import { mapStream } from '../../streaming/mapped-stream.js';
import { parseJsonEventStream } from '../../streaming/parse-sse.js';
import type { ChatRequest } from '../../wire/chat-request.js';
import { deploymentLimitsShape } from '../deployment-limits-shape.js';
import { modelOfferShape } from '../model-offer-shape.js';
import type { DeploymentLimits } from '../../budgets/deployment-limits.js';
import type { CallOptions, ChatResult, ChatStreamResult, JurisdictionFacts, ModelOffer, Provider } from '../types.js';
import {
  errorFromFetchFailure,
  errorFromOkBody,
  errorInsteadOfStream,
  isErrorEvent,
  malformedResponse,
  raisedBeforeSending,
  requestIdOf,
  requestPreparationError,
  serializeRequest,
} from '../upstream-error.js';
import { createRedactor, credentialsInURL, headerSecrets } from '../redact.js';
import { errorFromMessagesResponse } from './http-error.js';
import { translateRequest } from './translate-request.js';
import { translateResponse } from './translate-response.js';
import { StreamTranslator } from './translate-stream.js';
import type { AnthropicRequest, AnthropicResponse, AnthropicStreamEvent } from './wire.js';
import { defaultMaxResponseBytes, readJsonBody } from '../read-json-body.js';

/** A resolved Anthropic deployment: what `anthropic()` builds from its options and defaults. */
export interface AnthropicMessagesSettings {
  id: string;
  /** The API root; `/v1/messages` is appended (a root that already ends in `/v1` works too). */
  baseURL: string;
  /** Sent as `x-api-key`. A function is called on every request; it may throw a configuration error. */
  apiKey: string | (() => string | undefined);
  jurisdiction: JurisdictionFacts | undefined;
  models: ModelOffer[];
  /** Extra headers, overriding the defaults (e.g. another `anthropic-version`, an `anthropic-beta`). */
  headers?: Record<string, string> | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** `max_tokens` for requests that set neither `max_completion_tokens` nor `max_tokens`. */
  defaultMaxTokens: number;
  /** Largest non-streamed answer read. @default 67108864 (64 MiB) @unit bytes */
  maxResponseBytes?: number | undefined;
  /** The deployment's rate limits (the quota with the vendor), which routing respects. */
  limits?: DeploymentLimits | undefined;
  /**
   * The upstream's name when it takes images as bytes only (Claude on Vertex AI): http(s) image
   * URLs are then refused with `invalid_request` naming the part, before anything is sent.
   * @default undefined (URLs are sent as URL sources, which Anthropic's API fetches)
   */
  imageURLsRefusedBy?: string | undefined;
}

const urlMessage = 'must be a URL (http or https), e.g. https://api.anthropic.com';

/**
 * An http(s) URL, as zod's `url({ protocol: /^https?$/ })` judges one: trimmed, starting with
 * `http://` or `https://` in any case, and parsed by `URL`.
 */
function isHttpURL(value: string): boolean {
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return false;
  try {
    return /^https?:$/.test(new URL(trimmed).protocol);
  } catch {
    return false;
  }
}

const settingsShape = s.looseObject({
  id: s.string(s.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. anthropic')),
  baseURL: s.stringWithError(urlMessage, s.refine(isHttpURL, urlMessage), (value: string, issues: s.Issue[]) => {
    const problem = credentialsInURL(value.trim().replace(/[\t\n\r]/g, ''));
    if (problem !== undefined) issues.push({ code: 'custom', message: problem, path: [], continue: true });
  }),
  jurisdiction: s.optional(jurisdictionShape),
  models: s.array(modelOfferShape),
  defaultMaxTokens: s.number(s.int('must be a whole number of tokens'), s.positive('must be a positive number of tokens')),
  maxResponseBytes: s.optional(s.number(s.int('must be a whole number of bytes'), s.positive('must be a positive number of bytes'))),
  limits: deploymentLimitsShape,
});

/** Anthropic's 400 for a prompt that fits its context window, but not with max_tokens: the prompt's tokens, max_tokens, the window. */
const windowExceeded = /exceed context limit: (\d+) \+ (\d+) > (\d+)/;

/** The tokens the window leaves after the prompt, when `error` says `maxTokens` did not fit there and some room is left. */
function roomInWindow(error: RouterError, maxTokens: number): number | undefined {
  if (error.code !== 'invalid_request' || error.upstreamStatus !== 400) return undefined;
  const match = windowExceeded.exec(error.message);
  if (match === null) return undefined;
  const room = Number(match[3]) - Number(match[1]);
  return room >= 1 && room < maxTokens ? room : undefined;
}

/** Unix seconds: Anthropic sends no `created`. */
const now = (): number => Math.floor(Date.now() / 1000);

/**
 * A provider for Anthropic's Messages API: OpenAI-shaped chat requests in, OpenAI-shaped
 * completions and chunks out (see translate-*.ts). Chat only: Anthropic serves no embeddings and
 * no legacy completions, so the router never sends those here.
 */
export function anthropicMessagesProvider(settings: AnthropicMessagesSettings): Provider {
  const parsed = s.safeParse<{ jurisdiction?: JurisdictionFacts; models: ModelOffer[]; limits?: DeploymentLimits }>(settingsShape, settings);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    // The cause keeps the issues' paths and messages, never the input (a key, a URL's credential).
    throw new InvalidRequestError(`anthropic: ${issue.path.join('.') || 'options'} ${s.messageOf(issue)}`, null, new s.ShapeError(parsed.issues));
  }
  const { id, defaultMaxTokens } = settings;
  const url = `${settings.baseURL.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages`;
  const customFetch = settings.fetch;
  const keySource = typeof settings.apiKey === 'function' ? settings.apiKey : undefined;

  // Names lowercased once, so a user's `X-Api-Key` replaces ours instead of joining it.
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  if (typeof settings.apiKey === 'string') baseHeaders['x-api-key'] = settings.apiKey;
  const userHeaders = Object.entries(settings.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  for (const [name, value] of userHeaders) baseHeaders[name] = value;
  const userSetsKey = userHeaders.some(([name]) => name === 'x-api-key');
  const jsonHeaders = { accept: 'application/json', ...baseHeaders };
  const streamHeaders = { accept: 'text/event-stream', ...baseHeaders };
  const maxResponseBytes = settings.maxResponseBytes ?? defaultMaxResponseBytes;
  const configuredSecrets = [...(typeof settings.apiKey === 'string' ? [settings.apiKey] : []), ...headerSecrets(settings.headers)];
  const currentKey = (): string | undefined => {
    try {
      return keySource?.() || undefined;
    } catch {
      return undefined;
    }
  };
  // Every secret this deployment sends, as the upstream may quote it back.
  const redact = createRedactor(() => (keySource === undefined ? configuredSecrets : [...configuredSecrets, currentKey()]));

  /** The request in Anthropic's shape; a request that cannot be translated is the request's fault. */
  function prepare(request: ChatRequest): ReturnType<typeof translateRequest> {
    try {
      return translateRequest(id, request, defaultMaxTokens, { imageURLsRefusedBy: settings.imageURLsRefusedBy });
    } catch (error) {
      throw requestPreparationError(id, error, 'translated');
    }
  }

  async function post(body: unknown, headers: Record<string, string>, call: CallOptions): Promise<Response> {
    const text = serializeRequest(id, body);
    let sent = headers;
    let key: string | undefined;
    try {
      key = keySource === undefined || userSetsKey ? undefined : keySource();
    } catch (error) {
      // Nothing was sent: a configuration problem, not the deployment's health.
      throw raisedBeforeSending(
        RouterError.isInstance(error) ? error : new RouterError(`${id}: apiKey() threw; nothing was sent`, { code: 'upstream_error', status: 500, providerId: id }),
      );
    }
    if (key !== undefined) sent = { ...sent, 'x-api-key': key };
    if (call.headers !== undefined) {
      sent = { ...sent };
      for (const [name, value] of Object.entries(call.headers)) sent[name.toLowerCase()] = value;
    }
    let response: Response;
    try {
      // Never to a host the facts do not describe: a redirect fails the attempt (see fetch-transport.ts).
      response = await (customFetch ?? globalThis.fetch)(url, { method: 'POST', headers: sent, body: text, signal: call.signal ?? null, redirect: 'manual' });
    } catch (error) {
      throw errorFromFetchFailure(id, error, call.signal, redact);
    }
    if (!response.ok) {
      const error = await errorFromMessagesResponse(id, response, redact);
      // The body read may have been cut short by the caller's abort: report the abort.
      throw call.signal?.aborted ? errorFromFetchFailure(id, undefined, call.signal) : error;
    }
    return response;
  }

  /**
   * {@link post}, asked once more within the context window when the request set no max_tokens and
   * the default does not fit beside the prompt: OpenAI answers such a request in the room left,
   * where the Messages API refuses it (`input length and \`max_tokens\` exceed context limit:
   * 198512 + 4096 > 200000`). A max_tokens the caller chose is kept, and so is the refusal.
   */
  async function postWithinWindow(request: ChatRequest, body: AnthropicRequest, headers: Record<string, string>, call: CallOptions): Promise<Response> {
    try {
      return await post(body, headers, call);
    } catch (error) {
      const defaulted = (request.max_completion_tokens ?? request.max_tokens ?? undefined) === undefined;
      const room = defaulted && RouterError.isInstance(error) ? roomInWindow(error, body.max_tokens) : undefined;
      if (room === undefined) throw error;
      return post({ ...body, max_tokens: room }, headers, call);
    }
  }

  const readJSON = (response: Response, signal: AbortSignal | undefined) => readJsonBody(id, response, signal, maxResponseBytes, redact);

  const malformed = (response: Response, what: string, cause?: unknown) => malformedResponse(id, response, what, cause, redact);


  return {
    specificationVersion: 'v1',
    id,
    jurisdiction: parsed.data.jurisdiction,
    models: Object.freeze(parsed.data.models),
    baseURL: settings.baseURL,
    limits: parsed.data.limits,

    missingConfiguration() {
      if (userSetsKey || typeof settings.apiKey === 'string' || currentKey() !== undefined) return undefined;
      return 'no API key: pass apiKey to anthropic()';
    },

    checkChat(request: ChatRequest): void {
      prepare(request);
    },

    async doChat(request: ChatRequest, call: CallOptions): Promise<ChatResult> {
      const { body, jsonTool } = prepare(request);
      const response = await postWithinWindow(request, body, jsonHeaders, call);
      const requestId = requestIdOf(response.headers, redact);
      const message = await readJSON(response, call.signal);
      if (isErrorEvent(message, undefined)) throw errorFromOkBody(id, message, requestId, redact);
      const shaped = message as AnthropicResponse | null;
      if (shaped?.type !== 'message' || !Array.isArray(shaped.content)) throw malformed(response, 'a body that is not a message');
      return { completion: translateResponse(shaped, jsonTool, now()), requestId };
    },

    async doChatStream(request: ChatRequest, call: CallOptions): Promise<ChatStreamResult> {
      const { body, jsonTool } = prepare(request);
      body.stream = true;
      const response = await postWithinWindow(request, body, streamHeaders, call);
      const requestId = requestIdOf(response.headers, redact);
      if (response.body === null || response.headers.get('content-type')?.includes('application/json') === true) {
        const value = response.body === null ? undefined : await readJSON(response, call.signal);
        if (isErrorEvent(value, undefined)) throw errorInsteadOfStream(id, value, requestId, redact);
        throw new RouterError(`${id} answered a streaming request without an event stream`, { code: 'upstream_error', providerId: id, requestID: requestId });
      }
      const translator = new StreamTranslator(jsonTool, now());
      const events = parseJsonEventStream<AnthropicStreamEvent>(response.body, {
        providerId: id,
        signal: call.signal,
        requestId,
        redact,
        // Anthropic ends with `message_stop`, not `[DONE]`: a body that closes before it was cut.
        isComplete: () => translator.done,
        parse: (data) => {
          if (typeof data !== 'object' || data === null) throw malformed(response, 'an SSE event that is not an object');
          return data as AnthropicStreamEvent;
        },
      });
      // Nothing follows message_stop: the source is closed there rather than read to its end.
      return { chunks: mapStream(events, { map: (event) => translator.push(event), isDone: () => translator.done }), requestId };
    },
  };
}
