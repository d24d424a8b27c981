import { InvalidRequestError, type RouterError } from '../errors.js';
import type { ChatCompletionCreateParams } from '../wire/chat-request.js';
import type { ChatCompletionCreateParamsBase } from '../wire/chat-params.js';
import { itemsToMessages, type LabelledItem } from './translate-items.js';
import type { ResponseItem, ResponseRequest } from './wire.js';
import { quote } from '../internal/quote.js';
import { undeclaredFunction } from '../wire/tool-choice.js';

/*
 * A Responses request → the Chat Completions request the router routes (docs/responses.md has
 * the field table). Responses-only fields (`store`, `metadata`, `previous_response_id`,
 * `include`, `truncation`, `text`, …) never reach the upstream; what cannot be honoured is a
 * 400 naming the field rather than a silently different answer.
 */

/** Chat fields a client may send in a Responses body (as the SDKs' extra body) that pass through. */
const chatPassThrough = ['seed', 'stop', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'user', 'safety_identifier', 'prompt_cache_key', 'service_tier'] as const;

/** `include` values that ask for outputs this router never produces: nothing to include, no error. */
const includable = new Set([
  'reasoning.encrypted_content',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'code_interpreter_call.outputs',
]);

function refuse(param: string, message: string): never {
  throw new InvalidRequestError(message, param);
}

/** Fields this router cannot honour: each a 400 naming it. */
function assertSupported(request: ResponseRequest): void {
  if (request.background === true) refuse('background', 'background: true is not supported: this router answers in the request (stream for long generations).');
  if (request.conversation != null) refuse('conversation', 'conversation is not supported; continue a conversation with previous_response_id.');
  if (request.prompt != null) refuse('prompt', 'Stored prompt templates (prompt) are not supported; send instructions and input.');
  if (request.truncation === 'auto') refuse('truncation', "truncation: 'auto' is not supported; only 'disabled' (a too-long input is a 400).");
  if (request.max_tool_calls != null) refuse('max_tool_calls', 'max_tool_calls is not supported.');
  if (request.top_logprobs != null && request.top_logprobs > 0) refuse('top_logprobs', 'Log probabilities are not supported on /v1/responses.');
  for (const [index, value] of (request.include ?? []).entries()) {
    if (!includable.has(value)) refuse(`include[${index}]`, `include '${quote(value)}' is not supported.`);
  }
  if (request.reasoning?.summary != null) {
    refuse('reasoning.summary', 'reasoning.summary is not supported: reasoning summaries cannot be produced through Chat Completions providers.');
  }
  // Its deprecated name, which the openai SDK still types.
  if (request.reasoning?.generate_summary != null) {
    refuse('reasoning.generate_summary', 'reasoning.generate_summary is not supported: reasoning summaries cannot be produced through Chat Completions providers.');
  }
}

function translateTools(request: ResponseRequest): Pick<ChatCompletionCreateParams, 'tools' | 'tool_choice'> {
  const out: Pick<ChatCompletionCreateParams, 'tools' | 'tool_choice'> = {};
  let tools = (request.tools ?? []).map((tool, index) => {
    if (tool.type !== 'function') {
      refuse(`tools[${index}].type`, `tools[${index}] is a built-in '${quote(tool.type)}' tool, which this router cannot run; only function tools are supported.`);
    }
    if (typeof tool.name !== 'string' || tool.name === '') refuse(`tools[${index}].name`, `tools[${index}] is a function tool without a name.`);
    const strict = typeof tool.strict === 'boolean' ? { strict: tool.strict } : {};
    const description = typeof tool.description === 'string' ? { description: tool.description } : {};
    const parameters = typeof tool.parameters === 'object' && tool.parameters !== null ? { parameters: tool.parameters as Record<string, unknown> } : {};
    return { type: 'function' as const, function: { name: tool.name, ...description, ...parameters, ...strict } };
  });
  const choice = request.tool_choice;
  // A choice must name tools the request has: a missing one would be asked for by another name, or dropped.
  const names = new Set(tools.map((tool) => tool.function.name));
  const offered = (name: unknown, param: string, what: string): string => {
    if (typeof name !== 'string' || name === '') refuse(param, `${what} names no function.`);
    if (!names.has(name)) refuse(param, `${undeclaredFunction(what, name, 'tools', [...names])}.`);
    return name;
  };
  if (typeof choice === 'string') {
    out.tool_choice = choice;
  } else if (choice && choice.type === 'function') {
    out.tool_choice = { type: 'function', function: { name: offered(choice.name, 'tool_choice.name', 'tool_choice') } };
  } else if (choice && choice.type === 'allowed_tools') {
    if (choice.mode != null && choice.mode !== 'auto' && choice.mode !== 'required') refuse('tool_choice.mode', "tool_choice.mode of allowed_tools must be 'auto' or 'required'.");
    if (!Array.isArray(choice.tools)) refuse('tool_choice.tools', 'tool_choice of type allowed_tools needs tools: the function tools it allows.');
    // Chat Completions elsewhere than OpenAI has no allowed_tools: offer only the allowed ones.
    const allowed = new Set<string>();
    for (const [index, entry] of (choice.tools as Record<string, unknown>[]).entries()) {
      const param = `tool_choice.tools[${index}]`;
      if (entry?.type !== 'function') refuse(`${param}.type`, `${param} is a built-in '${quote(entry?.type)}' tool, which this router cannot run.`);
      // Its chat form ({ type, function: { name } }), which LangChain sends as it is, names it too.
      const named = entry.name ?? (entry.function as { name?: unknown } | undefined)?.name;
      allowed.add(offered(named, `${param}.name`, param));
    }
    tools = tools.filter((tool) => allowed.has(tool.function.name));
    out.tool_choice = choice.mode === 'required' ? 'required' : 'auto';
  } else if (choice) {
    refuse('tool_choice', `tool_choice of type '${quote(choice.type)}' names a built-in tool, which this router cannot run.`);
  }
  if (tools.length > 0) out.tools = tools;
  return out;
}

function translateFormat(request: ResponseRequest): Pick<ChatCompletionCreateParams, 'response_format'> & { verbosity?: string } {
  const format = request.text?.format;
  const verbosity = request.text?.verbosity ? { verbosity: request.text.verbosity } : {};
  if (!format || format.type === 'text') return verbosity;
  if (format.type === 'json_object') return { ...verbosity, response_format: { type: 'json_object' } };
  if (format.type === 'json_schema') {
    if (typeof format.name !== 'string' || typeof format.schema !== 'object' || format.schema === null) {
      refuse('text.format', "text.format of type 'json_schema' needs a name and a schema.");
    }
    const jsonSchema = {
      name: format.name,
      schema: format.schema as Record<string, unknown>,
      ...(typeof format.description === 'string' ? { description: format.description } : {}),
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    };
    return { ...verbosity, response_format: { type: 'json_schema', json_schema: jsonSchema } };
  }
  refuse('text.format.type', `text.format of type '${quote(format.type)}' is not supported; use text, json_object or json_schema.`);
}

/**
 * The Chat Completions request for `request`, continuing `history` (the stored items of
 * `previous_response_id`) with `input` (this request's items, references resolved).
 */
export function toChatRequest(request: ResponseRequest, history: readonly ResponseItem[], input: readonly ResponseItem[], origins?: string[]): ChatCompletionCreateParams {
  assertSupported(request);
  const items: LabelledItem[] = [
    ...history.map((item) => ({ item, param: 'previous_response_id' })),
    ...input.map((item, index) => ({ item, param: typeof request.input === 'string' ? 'input' : `input[${index}]` })),
  ];
  const messages = itemsToMessages(items, origins);
  // Instructions apply to this request only: they are not part of the stored history.
  if (request.instructions) {
    messages.unshift({ role: 'system', content: request.instructions });
    origins?.unshift('instructions');
  }
  if (messages.length === 0) refuse('input', 'input is required: a string or at least one item.');
  const chat: ChatCompletionCreateParamsBase = { model: request.model, messages, ...translateTools(request), ...translateFormat(request) };
  if (request.max_output_tokens != null) chat.max_tokens = request.max_output_tokens;
  if (request.temperature != null) chat.temperature = request.temperature;
  if (request.top_p != null) chat.top_p = request.top_p;
  if (request.parallel_tool_calls != null && chat.tools) chat.parallel_tool_calls = request.parallel_tool_calls;
  if (request.reasoning?.effort != null) (chat as unknown as Record<string, unknown>).reasoning_effort = request.reasoning.effort;
  for (const key of chatPassThrough) if (request[key] != null) (chat as unknown as Record<string, unknown>)[key] = request[key];
  if (request.route) chat.route = request.route;
  if (request.simulate) chat.simulate = request.simulate;
  if (request.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

/** Chat fields a Responses request names otherwise. */
const renamed: [RegExp, string][] = [
  [/^max_tokens$/, 'max_output_tokens'],
  [/^reasoning_effort$/, 'reasoning.effort'],
  [/^verbosity$/, 'text.verbosity'],
  [/^response_format(?:\.json_schema)?/, 'text.format'],
];

/**
 * A refusal of the chat request `chat` (translated from `request`, `origins` from
 * {@link toChatRequest}) as the Responses request names its fields: `messages[i]…` is the item
 * the message came from (`input[k]`, or `previous_response_id` for the stored conversation),
 * `tools[i].function.name` is `tools[j].name`, `max_tokens` is `max_output_tokens`, and so on.
 * Any other error is returned as it is.
 */
export function responsesRefusal(error: RouterError, request: ResponseRequest, chat: ChatCompletionCreateParams, origins: readonly string[]): RouterError {
  const param = error.param;
  if (!(error instanceof InvalidRequestError) || param === null) return error;
  let named: string | undefined;
  const message = /^messages\[(\d+)\]/.exec(param);
  const tool = /^tools\[(\d+)\]\.function\.?(.*)$/.exec(param);
  if (message) named = origins[Number(message[1])] ?? 'input';
  else if (tool) {
    // allowed_tools may have left tools out: the request's index is found by the tool's name.
    const sent = chat.tools?.[Number(tool[1])];
    const name = sent && 'function' in sent ? sent.function.name : undefined;
    const index = (request.tools ?? []).findIndex((entry) => entry.name === name);
    named = `tools[${index < 0 ? tool[1] : index}]${tool[2] ? `.${tool[2]}` : ''}`;
  } else {
    for (const [pattern, field] of renamed) if (pattern.test(param)) named = param.replace(pattern, field);
  }
  if (named === undefined || named === param) return error;
  return new InvalidRequestError(error.message.replace(param, named), named, error);
}
