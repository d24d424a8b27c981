import type { ChatRequest } from '../../wire/chat-request.js';
import { translateRequest as translateToMessages } from '../anthropic/translate-request.js';
import { unsupported } from '../anthropic/unsupported.js';
import type { AnthropicRequest, AnthropicRequestBlock } from '../anthropic/wire.js';
import type { ConverseContentBlock, ConverseDocumentFormat, ConverseMessage, ConverseRequest, ConverseToolChoice } from './wire.js';

/*
 * An OpenAI chat request → a Converse request. The conversation rules Converse shares with
 * Anthropic's Messages API (system hoisted, strict user/assistant alternation, tool results
 * first in the next user turn, no blank text, JSON output through a forced tool, the fields
 * refused because they would change the answer) are applied by the Anthropic translation; this
 * file maps its result onto Converse's shapes:
 * - text, base64 images (png, jpeg, gif, webp) and documents (PDF, Word, Excel), named document-1, document-2, … in
 *   order (Converse refuses two documents of one name), with their names as text in a message of
 *   files alone (Converse wants a text block beside a document); image URLs are refused
 *   (Converse takes bytes only: send a data: URL);
 * - tools → `toolConfig.tools[].toolSpec`; tool_choice auto / required / a function →
 *   `{auto}` / `{any}` / `{tool}`; `none`, which Converse lacks, sends no tools and replays
 *   earlier tool calls and results as text (Converse rejects tool blocks without `toolConfig`);
 * - a conversation that opens with the assistant gets a user turn `(conversation start)` before
 *   it (Converse requires the user to speak first);
 * - max_tokens, temperature, top_p, stop → `inferenceConfig`; top_k →
 *   `additionalModelRequestFields.top_k` (the name Claude models read).
 */

export interface TranslatedConverseRequest {
  body: ConverseRequest;
  /** The name of the tool that carries a JSON answer, when response_format asked for JSON. */
  jsonTool: string | undefined;
}

/** The user turn put before a conversation that opens with the assistant. */
const conversationStart = '(conversation start)';

/** Only requests that set it send `maxTokens`: Converse defaults to the model's maximum. */
const unsetMaxTokens = -1;

export function translateRequest(providerId: string, request: ChatRequest): TranslatedConverseRequest {
  const { body: messages, jsonTool } = translateToMessages(providerId, request, unsetMaxTokens, { imageURLsRefusedBy: 'Bedrock', api: 'Converse', documents: converseDocuments });
  const forbidTools = messages.tool_choice?.type === 'none';
  // Converse refuses two documents of one name anywhere in the conversation: they are numbered.
  let documents = 0;
  const nextDocumentName = () => `document-${++documents}`;
  const body: ConverseRequest = {
    messages: messages.messages.map((message, index) => convertMessage(providerId, message, index, forbidTools, nextDocumentName)),
  };
  if (messages.system !== undefined) body.system = messages.system.map((block) => ({ text: block.text }));
  // Converse refuses a conversation that opens with the assistant ("A conversation must start with
  // a user message"), which OpenAI and Anthropic take: a chat that opens with the assistant's greeting.
  if (body.messages[0]?.role === 'assistant') body.messages.unshift({ role: 'user', content: [{ text: conversationStart }] });

  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  if (messages.max_tokens !== unsetMaxTokens) inference.maxTokens = messages.max_tokens;
  if (messages.temperature !== undefined) inference.temperature = messages.temperature;
  if (messages.top_p !== undefined) inference.topP = messages.top_p;
  if (messages.stop_sequences !== undefined) inference.stopSequences = messages.stop_sequences;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  if (messages.top_k !== undefined) body.additionalModelRequestFields = { top_k: messages.top_k };

  if (messages.tools !== undefined && !forbidTools) {
    body.toolConfig = {
      tools: messages.tools.map((tool) => ({
        toolSpec: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), inputSchema: { json: tool.input_schema } },
      })),
    };
    const choice = convertChoice(messages.tool_choice);
    if (choice !== undefined) body.toolConfig.toolChoice = choice;
  }
  return { body, jsonTool };
}

function convertChoice(choice: AnthropicRequest['tool_choice']): ConverseToolChoice | undefined {
  switch (choice?.type) {
    case 'auto':
      return { auto: {} };
    case 'any':
      return { any: {} };
    case 'tool':
      return { tool: { name: choice.name } };
    default:
      return undefined;
  }
}

function convertMessage(
  providerId: string,
  message: AnthropicRequest['messages'][number],
  index: number,
  flattenTools: boolean,
  nextDocumentName: () => string,
): ConverseMessage {
  const content = message.content.map((block, blockIndex) => convertBlock(providerId, block, `messages[${index}].content[${blockIndex}]`, flattenTools, nextDocumentName));
  // Converse refuses a document without a text block beside it ("A text block must be included
  // when using documents"); the documents' names are the text a message of files alone gets.
  const documents = content.flatMap((block) => ('document' in block ? [block.document.name] : []));
  if (documents.length > 0 && !content.some((block) => 'text' in block)) content.push({ text: documents.join(', ') });
  return { role: message.role, content };
}

const imageFormats: Record<string, 'png' | 'jpeg' | 'gif' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

/**
 * The binary document formats Converse reads, by media type. Its text formats (txt, md, csv, html)
 * arrive as text: the translation decodes every text/* file (and JSON, YAML, XML) into a text block.
 */
const documentFormats: Record<string, ConverseDocumentFormat> = {
  'application/pdf': 'pdf',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

const converseDocuments = { mediaTypes: new Set(Object.keys(documentFormats)), described: 'PDF, Word (doc, docx), Excel (xls, xlsx) and text files' };

function convertBlock(providerId: string, block: AnthropicRequestBlock, where: string, flattenTools: boolean, nextDocumentName: () => string): ConverseContentBlock {
  switch (block.type) {
    case 'text':
      return { text: block.text };
    case 'image': {
      // URL sources were refused with the caller's message index by the Messages translation.
      if (block.source.type !== 'base64') throw unsupported(providerId, where, 'Bedrock takes images as bytes, not URLs; send the image as a base64 data: URL');
      return { image: { format: imageFormats[block.source.media_type] ?? 'png', source: { bytes: block.source.data } } };
    }
    case 'document': {
      if (block.source.type === 'text') return { text: block.source.data };
      if (block.source.type !== 'base64') throw unsupported(providerId, where, 'Bedrock takes documents as bytes, not URLs; send the PDF inline as file_data');
      // The translation lets through only the media types above (a PDF sent as an image_url too).
      const format = documentFormats[block.source.media_type];
      if (format === undefined) throw unsupported(providerId, where, `Converse reads ${converseDocuments.described} (got ${block.source.media_type})`);
      return { document: { format, name: nextDocumentName(), source: { bytes: block.source.data } } };
    }
    case 'tool_use':
      if (flattenTools) return { text: `[called tool ${block.name} with ${JSON.stringify(block.input)}]` };
      return { toolUse: { toolUseId: block.id, name: block.name, input: block.input } };
    case 'tool_result': {
      const text = typeof block.content === 'string' ? block.content : block.content.map((part) => part.text).join('');
      if (flattenTools) return { text: `[tool result: ${text}]` };
      // Converse rejects a tool result with no content block, and blank text ("text content blocks
      // must contain non-whitespace text"): a tool that printed nothing says so.
      return { toolResult: { toolUseId: block.tool_use_id, content: [{ text: text.trim() === '' ? '(no output)' : text }] } };
    }
  }
}
