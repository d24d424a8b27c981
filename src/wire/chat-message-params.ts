/*
 * The messages of a chat request, typed as the `openai` SDK types them (majors 4 to 7): every
 * value of the SDK's `ChatCompletionMessageParam` is a value of `ChatCompletionMessageParam`, and so is
 * the `message` of a router answer, so a conversation typed with either library flows into the
 * other without a cast. Plain interfaces without index signatures, on purpose: an interface
 * (the SDK's are interfaces) is not assignable to a type with an index signature.
 *
 * Types only. The request is validated at run time by the schema in chat-request.ts, which
 * answers a 400 naming the field for a value an upstream cannot take.
 */

/** A cache breakpoint on a content part, for upstreams with explicit prompt caching. */
export interface PromptCacheBreakpoint {
  mode: 'explicit';
  ttl?: '30m' | '12h';
}

export interface ChatCompletionContentPartText {
  type: 'text';
  text: string;
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** An image by URL or `data:` URL; the request then needs a deployment with the `vision` capability. */
export interface ChatCompletionContentPartImage {
  type: 'image_url';
  image_url: {
    url: string;
    /** @default 'auto' */
    detail?: 'auto' | 'low' | 'high' | 'original';
  };
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** Audio input, passed through to the upstream (few deployments take it). */
export interface ChatCompletionContentPartInputAudio {
  type: 'input_audio';
  input_audio: { data: string; format: 'wav' | 'mp3' };
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

/** A file by id or inline data, passed through to the upstream (few deployments take it). */
export interface ChatCompletionContentPartFile {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
  prompt_cache_breakpoint?: PromptCacheBreakpoint;
}

export interface ChatCompletionContentPartRefusal {
  type: 'refusal';
  refusal: string;
}

/** What a user message may hold besides a string. */
export type ChatCompletionContentPart = ChatCompletionContentPartText | ChatCompletionContentPartImage | ChatCompletionContentPartInputAudio | ChatCompletionContentPartFile;

/** A function call the model asked for, as it comes back in `message.tool_calls`. */
export interface ChatCompletionMessageFunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A call of a `custom` tool (free-form input), as OpenAI returns it for such tools. */
export interface ChatCompletionMessageCustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string };
}

export interface ChatCompletionSystemMessageParam {
  role: 'system';
  content: string | ChatCompletionContentPartText[];
  name?: string;
}

/** The system prompt under its newer name; upstreams that know only `system` get it as one. */
export interface ChatCompletionDeveloperMessageParam {
  role: 'developer';
  content: string | ChatCompletionContentPartText[];
  name?: string;
}

export interface ChatCompletionUserMessageParam {
  role: 'user';
  content: string | ChatCompletionContentPart[];
  name?: string;
}

/** An earlier answer: a router response's `choices[i].message` is one. */
export interface ChatCompletionAssistantMessageParam {
  role: 'assistant';
  content?: string | Array<ChatCompletionContentPartText | ChatCompletionContentPartRefusal> | null;
  tool_calls?: Array<ChatCompletionMessageFunctionToolCall | ChatCompletionMessageCustomToolCall>;
  refusal?: string | null;
  name?: string;
  /** An earlier audio answer, by id. */
  audio?: { id: string } | null;
  /** @deprecated the legacy single function call; use `tool_calls`. */
  function_call?: { name: string; arguments: string } | null;
}

/** A tool's result, answering the call with id `tool_call_id`. */
export interface ChatCompletionToolMessageParam {
  role: 'tool';
  content: string | ChatCompletionContentPartText[];
  tool_call_id: string;
}

/** @deprecated the legacy function result; use a `tool` message. */
export interface ChatCompletionFunctionMessageParam {
  role: 'function';
  content: string | null;
  name: string;
}

/** One message of a chat request. */
export type ChatCompletionMessageParam =
  | ChatCompletionSystemMessageParam
  | ChatCompletionDeveloperMessageParam
  | ChatCompletionUserMessageParam
  | ChatCompletionAssistantMessageParam
  | ChatCompletionToolMessageParam
  | ChatCompletionFunctionMessageParam;
