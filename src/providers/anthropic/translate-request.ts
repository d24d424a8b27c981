import { RouterError } from '../../errors.js';
import type { ChatRequest } from '../../wire/chat-request.js';
import { flattenTopLevel } from './input-schema.js';
import { jsonModeTool } from './json-mode.js';
import { apiName, translateMessages, type MessageOptions } from './translate-messages.js';
import { unsupported } from './unsupported.js';
import type { AnthropicRequest, AnthropicTool, AnthropicToolChoice } from './wire.js';

/*
 * An OpenAI chat request → an Anthropic Messages request (research: openai-contract.md §4.1).
 *
 * Translated: messages (see translate-messages.ts), max_completion_tokens / max_tokens,
 * temperature, top_p, top_k, stop, tools, tool_choice (allowed_tools by sending the allowed tools
 * only), parallel_tool_calls, response_format
 * (through a forced JSON tool, see json-mode.ts), user / safety_identifier → metadata.user_id.
 * Dropped, as hints Anthropic has no equivalent for: seed, frequency_penalty, presence_penalty,
 * store, service_tier, metadata, prompt_cache_key, verbosity, stream_options, and `strict` on
 * tools and JSON schemas (Anthropic's strict tool use is not on every model; the schema itself is
 * still sent).
 * Refused (invalid_request naming the field): what would change the answer's shape or meaning.
 */

export interface TranslatedRequest {
  body: AnthropicRequest;
  /** The name of the tool that carries a JSON answer, when response_format asked for JSON. */
  jsonTool: string | undefined;
}

/** Fields whose value, when set, asks for something the Messages API (and Converse) does not do; `api` names the upstream API. */
const refusedWhen: readonly [string, (value: unknown) => boolean, (api: string) => string][] = [
  ['n', (value) => typeof value === 'number' && value > 1, (api) => `${api} returns one choice per request; send n: 1 (or omit it) and call n times`],
  ['logprobs', (value) => value === true, (api) => `${api} returns no log probabilities; omit logprobs`],
  ['top_logprobs', (value) => typeof value === 'number' && value > 0, (api) => `${api} returns no log probabilities; omit top_logprobs`],
  ['logit_bias', (value) => typeof value === 'object' && value !== null && Object.keys(value).length > 0, (api) => `${api} has no token biases; omit logit_bias`],
  ['audio', (value) => value !== undefined && value !== null, (api) => `${api} produces no audio; omit audio`],
  ['modalities', (value) => Array.isArray(value) && value.includes('audio'), (api) => `${api} produces text only; omit modalities`],
  ['prediction', (value) => value !== undefined && value !== null, (api) => `${api} has no predicted outputs; omit prediction`],
  ['functions', (value) => value !== undefined && value !== null, () => 'legacy functions are not translated; send them as tools'],
  ['function_call', (value) => value !== undefined && value !== null, () => 'legacy function_call is not translated; send tool_choice'],
  ['web_search_options', (value) => value !== undefined && value !== null, () => 'web search is not translated; omit web_search_options'],
  [
    'reasoning_effort',
    (value) => typeof value === 'string' && value !== 'none' && value !== 'minimal',
    () => 'reasoning_effort is not translated to extended thinking (its thinking blocks would have to be replayed on every later turn); omit it',
  ],
];

/**
 * An OpenAI `user` not to pass as Anthropic's opaque user id: an e-mail address, or a phone
 * number (a leading `+`, or digits with separators). A plain numeric id is an id.
 */
const personalData = /@|^\+[\d\s().-]{7,}$|^(?=.*\d)(?=.*[\s().-])[\d\s().-]{7,}$/;

/** The longest `metadata.user_id` the Messages API takes; OpenAI sets no bound on `user`. */
const maxUserIdLength = 256;

export function translateRequest(providerId: string, request: ChatRequest, defaultMaxTokens: number, options: MessageOptions = {}): TranslatedRequest {
  const fields = request as Record<string, unknown>;
  const api = apiName(options);
  for (const [name, isRefused, advice] of refusedWhen) {
    if (isRefused(fields[name])) throw unsupported(providerId, name, advice(api));
  }
  const { system, messages, calledTools } = translateMessages(providerId, request.messages, options);
  const body: AnthropicRequest = {
    model: request.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body.system = system;

  if (request.temperature !== undefined && request.temperature !== null) {
    if (request.temperature > 1) throw unsupported(providerId, 'temperature', `${api} takes a temperature from 0 to 1, not to 2; send at most 1 (got ${request.temperature})`);
    body.temperature = request.temperature;
  }
  // Newer Claude models refuse temperature and top_p together: temperature, the common one, wins.
  if (request.top_p !== undefined && request.top_p !== null && body.temperature === undefined) body.top_p = request.top_p;
  if (typeof fields.top_k === 'number') body.top_k = fields.top_k;
  if (request.stop !== undefined && request.stop !== null) {
    const stops = typeof request.stop === 'string' ? [request.stop] : request.stop;
    if (stops.some((stop) => stop.trim() === '')) throw unsupported(providerId, 'stop', `${api} rejects whitespace-only stop sequences; remove them`);
    if (stops.length > 0) body.stop_sequences = stops;
  }
  const userId = typeof fields.safety_identifier === 'string' ? fields.safety_identifier : request.user;
  // A hint: one the API would refuse (longer than it takes, or personal data) is left out.
  if (userId !== undefined && userId !== '' && userId.length <= maxUserIdLength && !personalData.test(userId)) body.metadata = { user_id: userId };

  const allowed = allowedTools(providerId, request);
  const tools: AnthropicTool[] = (request.tools ?? []).flatMap((tool, index) => {
    if (tool.type !== 'function') throw unsupported(providerId, `tools[${index}]`, 'custom tools are not translated; declare a function tool');
    const definition = tool.function;
    if (allowed !== undefined && !allowed.has(definition.name)) return [];
    // The API requires an object schema; OpenAI takes none, or `{}`, for a function without parameters.
    const parameters = definition.parameters;
    const schema = flattenTopLevel(parameters?.type === undefined ? { type: 'object', properties: {}, ...parameters } : parameters);
    const translated: AnthropicTool = { name: definition.name, input_schema: schema };
    if (definition.description !== undefined) translated.description = definition.description;
    return [translated];
  });
  let choice = translateToolChoice(providerId, request);
  if (tools.length === 0 && calledTools.size > 0) {
    // The API rejects a history with tool calls but no tool definitions. Stubs satisfy it, and
    // tool_choice none keeps the model from calling them, as OpenAI would with no tools.
    for (const name of calledTools) tools.push({ name, input_schema: { type: 'object', properties: {} } });
    choice = { type: 'none' };
  }

  const json = jsonModeTool(providerId, request.response_format, tools, api);
  if (json !== undefined) {
    // Without usable tools of the caller's, the JSON tool is the answer; with them, the model
    // must call one of the caller's tools or answer through the JSON tool.
    const callerTools = choice?.type === 'none' ? [] : tools;
    body.tools = [...callerTools, json];
    body.tool_choice = callerTools.length === 0 ? { type: 'tool', name: json.name } : choice?.type === 'tool' ? choice : { type: 'any' };
  } else if (tools.length > 0) {
    body.tools = tools;
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (request.parallel_tool_calls === false && body.tools !== undefined && body.tool_choice?.type !== 'none') {
    body.tool_choice = { ...(body.tool_choice ?? { type: 'auto' }), disable_parallel_tool_use: true } as AnthropicToolChoice;
  }
  return { body, jsonTool: json?.name };
}

function translateToolChoice(providerId: string, request: ChatRequest): AnthropicToolChoice | undefined {
  const choice = request.tool_choice;
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  // Asked for a call the request gives no tool for, the model would answer in text: OpenAI refuses it.
  const declared = new Set((request.tools ?? []).flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : [])));
  if (choice === 'required') {
    if (declared.size === 0) throw undeclaredTool(providerId, "tool_choice 'required' asks for a tool call, and the request declares no tools");
    return { type: 'any' };
  }
  if (choice.type === 'function') {
    const name = choice.function.name;
    if (!declared.has(name)) throw undeclaredTool(providerId, `tool_choice names the function ${JSON.stringify(name)}, which tools does not declare`);
    return { type: 'tool', name };
  }
  // The tools it allows are the only ones sent (see allowedTools).
  if (choice.type === 'allowed_tools') return (choice.allowed_tools as { mode?: unknown }).mode === 'required' ? { type: 'any' } : { type: 'auto' };
  throw unsupported(providerId, 'tool_choice', `a ${choice.type} tool_choice is not translated; send auto, required, none or a function`);
}

/**
 * The names an `allowed_tools` tool_choice lets the model call, or undefined for another choice.
 * The Messages API has no such choice: only the allowed tools are sent, which asks the model the
 * same (OpenAI's form keeps the rest in the prompt for its cache, not for the model to call).
 */
function allowedTools(providerId: string, request: ChatRequest): Set<string> | undefined {
  const choice = request.tool_choice;
  if (typeof choice !== 'object' || choice.type !== 'allowed_tools') return undefined;
  const { mode, tools } = choice.allowed_tools as { mode?: unknown; tools?: unknown };
  if (mode !== undefined && mode !== 'auto' && mode !== 'required') {
    throw unsupported(providerId, 'tool_choice.allowed_tools.mode', "an allowed_tools mode is 'auto' or 'required'");
  }
  if (!Array.isArray(tools)) throw unsupported(providerId, 'tool_choice.allowed_tools.tools', 'allowed_tools needs tools: the function tools it allows');
  const declared = new Set((request.tools ?? []).flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : [])));
  const allowed = new Set<string>();
  for (const entry of tools as { type?: unknown; function?: { name?: unknown } }[]) {
    const name = entry?.type === 'function' ? entry.function?.name : undefined;
    if (typeof name !== 'string') throw unsupported(providerId, 'tool_choice.allowed_tools.tools', 'it may allow function tools only ({ type: "function", function: { name } })');
    if (!declared.has(name)) throw undeclaredTool(providerId, `tool_choice allows the function ${JSON.stringify(name)}, which tools does not declare`);
    allowed.add(name);
  }
  if (allowed.size === 0 && mode === 'required') throw undeclaredTool(providerId, 'tool_choice requires a call of one of the allowed tools, and it allows none');
  return allowed;
}

function undeclaredTool(providerId: string, problem: string): RouterError {
  return new RouterError(`${problem}: declare the tool in tools, or omit tool_choice`, { code: 'invalid_request', param: 'tool_choice', providerId });
}
