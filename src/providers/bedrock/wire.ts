/*
 * The parts of Bedrock Runtime's Converse API (`POST /model/{modelId}/converse` and
 * `/converse-stream`) that the adapter writes and reads. Responses are read loosely: every field
 * is checked where it is used.
 */

/** The binary document formats Converse reads (its text ones, txt, md, csv and html, are sent as text). */
export type ConverseDocumentFormat = 'pdf' | 'doc' | 'docx' | 'xls' | 'xlsx';

export type ConverseContentBlock =
  | { text: string }
  | { image: { format: 'png' | 'jpeg' | 'gif' | 'webp'; source: { bytes: string } } }
  | { document: { format: ConverseDocumentFormat; name: string; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: Record<string, unknown> } }
  | { toolResult: { toolUseId: string; content: { text: string }[]; status?: 'success' | 'error' } };

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

export interface ConverseTool {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

/** Converse has no `none`: a request that forbids tools sends no `toolConfig`. */
export type ConverseToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

/** The request body; the model id is in the URL. */
export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseTool[]; toolChoice?: ConverseToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
}

/** Token counts; `inputTokens` excludes cache reads and writes. */
export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponseBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: unknown;
}

/** A non-streamed answer. */
export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ConverseResponseBlock[] } };
  stopReason?: string;
  usage?: ConverseUsage;
}

/** One ConverseStream event's payload; the event's name is the frame's `:event-type` header. */
export interface ConverseStreamEvent {
  role?: string;
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: unknown };
  stopReason?: string;
  usage?: ConverseUsage;
}
