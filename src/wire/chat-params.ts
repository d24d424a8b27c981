import type { z } from 'zod';
import type { routeOptionsSchema, simulateSchema } from './chat-request.js';
import type { ChatCompletionContentPartText, ChatCompletionMessageParam } from './chat-message-params.js';

/*
 * `router.chat.completions.create(params)`: the OpenAI chat request as the `openai` SDK types
 * it, majors 4 to 7, plus sovroute's `route` and `simulate`. Every value of the SDK's
 * `ChatCompletionCreateParams` (and of its tools, tool choices and response formats) is a value
 * of these types: code written against the SDK passes its own values unchanged. Fields the
 * router does not read pass through to the upstream; their values are typed as loosely as the
 * SDK's newest major needs. Types only: chat-request.ts validates at run time.
 */

/** A JSON Schema object (`parameters` of a function, `schema` of a response format). */
export type JsonSchemaObject = { [key: string]: unknown };

/** A function the model may call. */
export interface ChatCompletionFunctionTool {
  type: 'function';
  function: {
    /** 1 to 64 characters of a-z, A-Z, 0-9, `_` or `-`. */
    name: string;
    description?: string;
    parameters?: JsonSchemaObject;
    /** Whether the upstream must follow `parameters` exactly (structured outputs). */
    strict?: boolean | null;
  };
}

/** A tool with free-form input (OpenAI's custom tools), passed through to the upstream. */
export interface ChatCompletionCustomTool {
  type: 'custom';
  custom: {
    name: string;
    description?: string;
    format?: { type: 'text' } | { type: 'grammar'; grammar: { definition: string; syntax: 'lark' | 'regex' } };
  };
}

/** A tool the model may call; any tool makes the request need the `tools` capability. */
export type ChatCompletionTool = ChatCompletionFunctionTool | ChatCompletionCustomTool;

/** Which tool the model must call, if any. */
export type ChatCompletionToolChoiceOption =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: 'custom'; custom: { name: string } }
  | { type: 'allowed_tools'; allowed_tools: { mode: 'auto' | 'required'; tools: Array<{ [key: string]: unknown }> } };

/** The answer's format; `json_object` and `json_schema` make the request need the `json` capability. */
export type ChatCompletionResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: JsonSchemaObject; strict?: boolean | null } };

/** A chat request, streaming or not. */
export interface ChatCompletionCreateParamsBase {
  /** A model string: `provider/model`, a canonical model, a policy and objective (`eu-sovereign/cheapest`) or `auto`. */
  model: string;
  messages: ChatCompletionMessageParam[];
  /** 0 to 2. */
  temperature?: number | null;
  /** 0 to 1. */
  top_p?: number | null;
  /** Choices to generate, 1 to 128. @default 1 */
  n?: number | null;
  /** Up to 4 sequences. */
  stop?: string | string[] | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  seed?: number | null;
  /** -2 to 2. */
  frequency_penalty?: number | null;
  /** -2 to 2. */
  presence_penalty?: number | null;
  logit_bias?: { [token: string]: number } | null;
  logprobs?: boolean | null;
  /** 0 to 20. */
  top_logprobs?: number | null;
  stream?: boolean | null;
  /** With `include_usage`, content chunks carry `usage: null`; the last chunk carries usage with cost either way. */
  stream_options?: { include_usage?: boolean; include_obfuscation?: boolean } | null;
  tools?: ChatCompletionTool[];
  tool_choice?: ChatCompletionToolChoiceOption;
  parallel_tool_calls?: boolean;
  response_format?: ChatCompletionResponseFormat;
  user?: string;
  /** Up to 16 pairs; keys up to 64 characters, values up to 512. */
  metadata?: { [key: string]: string } | null;
  reasoning_effort?: string | null;
  verbosity?: string | null;
  service_tier?: string | null;
  store?: boolean | null;
  modalities?: string[] | null;
  audio?: { format: string; voice: string | { id: string } } | null;
  prediction?: { type: 'content'; content: string | ChatCompletionContentPartText[] } | null;
  web_search_options?: {
    search_context_size?: 'low' | 'medium' | 'high';
    user_location?: {
      type: 'approximate';
      approximate: { city?: string; country?: string; region?: string; timezone?: string };
    } | null;
  };
  prompt_cache_key?: string | null;
  prompt_cache_retention?: string | null;
  prompt_cache_options?: { mode?: 'implicit' | 'explicit'; ttl?: string };
  safety_identifier?: string | null;
  moderation?: { model: string; policy?: { input?: { mode: string } | null; output?: { mode: string } | null } | null } | null;
  /** @deprecated use `tool_choice`. */
  function_call?: 'none' | 'auto' | { name: string };
  /** @deprecated use `tools`. */
  functions?: Array<{ name: string; description?: string; parameters?: JsonSchemaObject }>;
  /** Routing hints for this request; a misspelt key is a 400. */
  route?: z.input<typeof routeOptionsSchema>;
  /** With a `test-` key: the fault the pseudo-LLM injects, to exercise an app's error paths. */
  simulate?: z.input<typeof simulateSchema>;
}

/** A chat request answered with one `ChatCompletion`. */
export interface ChatCompletionCreateParamsNonStreaming extends ChatCompletionCreateParamsBase {
  stream?: false | null;
}

/** A chat request answered with a `ChatCompletionStream`. */
export interface ChatCompletionCreateParamsStreaming extends ChatCompletionCreateParamsBase {
  stream: true;
}

/** A chat request: `stream: true` streams, anything else answers at once. */
export type ChatCompletionCreateParams = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;
