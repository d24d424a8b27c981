import type { ChatMessage } from '../../wire/chat-request.js';
import { toolCallId } from './tool-call-id.js';
import { unsupported } from './unsupported.js';
import type { AnthropicMessage, AnthropicRequestBlock, AnthropicSource, AnthropicTextBlock } from './wire.js';

/*
 * OpenAI messages → Anthropic `system` + `messages`:
 * - `system` and `developer` messages are hoisted, in order, into `system` (Anthropic has no
 *   system role inside the conversation);
 * - runs of user-side messages (`user`, `tool`) become one `user` turn with its `tool_result`
 *   blocks first, and runs of `assistant` messages one `assistant` turn with text before
 *   `tool_use`, as the API requires;
 * - an assistant's refusal (a `refusal` part, or the `refusal` beside `content: null` of an answer
 *   replayed as returned) stays in the conversation as its text;
 * - empty and whitespace-only text is left out (the API rejects such text blocks), a tool result
 *   without text becomes `(no output)`, and a trailing assistant message (a prefill) loses its
 *   trailing whitespace, which the API also rejects;
 * - tool-call ids another provider minted are rewritten into ids the API accepts (tool-call-id.ts).
 */

export interface MessageOptions {
  /**
   * The API named in refusals: Bedrock's Converse shares this translation, and its callers
   * should read of Converse, not of Anthropic's Messages API.
   * @default 'the Messages API'
   */
  api?: string | undefined;
  /**
   * The upstream's name when it takes images as bytes only (Bedrock, Claude on Vertex AI): an
   * http(s) image URL is then refused here, where the caller's message and part are known, instead
   * of by the upstream. Undefined: URLs are sent as URL sources.
   */
  imageURLsRefusedBy?: string | undefined;
  /**
   * The files the API reads as documents besides text files: their media types, and how a
   * refusal of another kind names them. Converse reads Word and Excel files too.
   * @default PDF alone
   */
  documents?: { mediaTypes: ReadonlySet<string>; described: string } | undefined;
}

const pdfDocuments = { mediaTypes: new Set(['application/pdf']), described: 'PDF and text files' };

export interface TranslatedMessages {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
  /** Names of the tools the history calls: the API wants a definition for each. */
  calledTools: Set<string>;
}

type Part = { type: string; [key: string]: unknown };

/** What a tool result without text is sent as. */
const noOutput = '(no output)';

export function translateMessages(providerId: string, input: readonly ChatMessage[], options: MessageOptions = {}): TranslatedMessages {
  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicMessage[] = [];
  const calledTools = new Set<string>();

  const turn = (role: 'user' | 'assistant'): AnthropicRequestBlock[] => {
    const last = messages.at(-1);
    if (last?.role === role) return last.content;
    const created: AnthropicMessage = { role, content: [] };
    messages.push(created);
    return created.content;
  };

  input.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user': {
        const blocks = turn('user');
        if (typeof message.content === 'string') blocks.push(...textBlocks(message.content));
        else message.content.forEach((part, partIndex) => blocks.push(...userPart(providerId, part as Part, `${where}.content[${partIndex}]`, options)));
        break;
      }
      case 'tool': {
        const content = typeof message.content === 'string' ? message.content : textBlocks(message.content);
        // The API refuses a tool result without text (as Converse does): a tool that printed nothing says so.
        const blank = typeof content === 'string' ? content.trim() === '' : content.length === 0;
        turn('user').push({ type: 'tool_result', tool_use_id: toolCallId(message.tool_call_id), content: blank ? noOutput : content });
        break;
      }
      case 'assistant': {
        const blocks = turn('assistant');
        const content = message.content;
        const said: AnthropicTextBlock[] = [];
        if (typeof content === 'string') said.push(...textBlocks(content));
        else if (Array.isArray(content)) {
          // A refusal is what the model said: it stays in the conversation as text.
          for (const part of content) said.push(...textBlocks(part.type === 'text' ? part.text : (part as { refusal: string }).refusal));
        }
        // An answer replayed as the SDK returned it carries a refusal beside `content: null`.
        if (said.length === 0 && typeof message.refusal === 'string') said.push(...textBlocks(message.refusal));
        blocks.push(...said);
        message.tool_calls?.forEach((call, callIndex) => {
          calledTools.add(call.function.name);
          const input = parseArguments(providerId, call.function.arguments, `${where}.tool_calls[${callIndex}].function.arguments`);
          blocks.push({ type: 'tool_use', id: toolCallId(call.id), name: call.function.name, input });
        });
        break;
      }
      case 'function':
        throw unsupported(providerId, `${where}.role`, 'legacy function messages have no tool_call_id to answer; send a tool message with tool_call_id');
    }
  });

  for (const message of messages) {
    // tool_result first in a user turn; text before tool_use in an assistant turn.
    const late = message.role === 'user' ? (block: AnthropicRequestBlock) => block.type !== 'tool_result' : (block: AnthropicRequestBlock) => block.type === 'tool_use';
    message.content = [...message.content.filter((block) => !late(block)), ...message.content.filter(late)];
  }
  const kept = withoutEmptyTurns(messages);
  if (kept.length === 0) {
    throw unsupported(providerId, 'messages', `the conversation has no user or assistant message with content; ${apiName(options)} needs at least one`);
  }
  trimPrefill(kept);
  return { system, messages: kept, calledTools };
}

/**
 * Turns left with no content (their text was all empty) are dropped, which the API requires;
 * dropping one can bring two turns of one role together, and those become one.
 */
function withoutEmptyTurns(messages: readonly AnthropicMessage[]): AnthropicMessage[] {
  const kept: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.content.length === 0) continue;
    const last = kept.at(-1);
    if (last?.role === message.role) {
      const late = message.role === 'user' ? (block: AnthropicRequestBlock) => block.type !== 'tool_result' : (block: AnthropicRequestBlock) => block.type === 'tool_use';
      const blocks = [...last.content, ...message.content];
      last.content = [...blocks.filter((block) => !late(block)), ...blocks.filter(late)];
    } else kept.push(message);
  }
  return kept;
}

/** The API refusals name. */
export function apiName(options: MessageOptions): string {
  return options.api ?? 'the Messages API';
}

function textBlocks(content: string | readonly { text: string }[]): AnthropicTextBlock[] {
  const texts = typeof content === 'string' ? [content] : content.map((part) => part.text);
  // Whitespace-only text is refused like empty text ("text content blocks must contain non-whitespace text").
  return texts.filter((text) => text.trim() !== '').map((text) => ({ type: 'text', text }));
}

function userPart(providerId: string, part: Part, where: string, options: MessageOptions): AnthropicRequestBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks(part.text as string);
    case 'image_url': {
      const url = (part.image_url as { url: string }).url;
      if (/^https?:\/\//i.test(url)) {
        const refusedBy = options.imageURLsRefusedBy;
        if (refusedBy !== undefined) throw unsupported(providerId, `${where}.image_url.url`, `${refusedBy} takes images as bytes, not URLs; send the image as a base64 data: URL`);
        return [{ type: 'image', source: { type: 'url', url } }];
      }
      const source = dataSource(providerId, url, `${where}.image_url.url`);
      if (source === undefined) throw unsupported(providerId, `${where}.image_url.url`, 'an image must be an http(s) URL or a base64 data URL');
      if (source.type === 'base64' && source.media_type === 'application/pdf') return [{ type: 'document', source }];
      // The API refuses an image whose bytes are another format than its media type says (a JPEG
      // saved as .png), which OpenAI reads: the bytes decide.
      const sniffed = source.type === 'base64' ? imageFormat(source.data) : undefined;
      if (source.type !== 'base64' || (sniffed === undefined && !imageTypes.has(source.media_type))) {
        throw unsupported(providerId, `${where}.image_url.url`, 'images must be JPEG, PNG, GIF or WebP');
      }
      return [{ type: 'image', source: sniffed === undefined ? source : { ...source, media_type: sniffed } }];
    }
    case 'file': {
      const file = part.file as { file_data?: unknown };
      if (typeof file.file_data !== 'string') throw unsupported(providerId, `${where}.file`, 'uploaded file ids are not readable there; send the file inline as file_data');
      // OpenAI takes PDFs here: bare base64 is one. A data: URL that is not base64 is no such thing.
      const source = dataSource(providerId, file.file_data, `${where}.file.file_data`);
      if (source === undefined && /^data:/i.test(file.file_data)) {
        throw unsupported(providerId, `${where}.file.file_data`, 'a file must be base64: a data URL (data:<type>;base64,<data>) or bare base64 of a PDF');
      }
      if (source === undefined) return [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: file.file_data } }];
      // Sent on, another kind of file would be refused upstream, naming the upstream's indexes, not the caller's.
      const documents = options.documents ?? pdfDocuments;
      if (source.type === 'base64' && !documents.mediaTypes.has(source.media_type)) {
        throw unsupported(providerId, `${where}.file.file_data`, `${apiName(options)} reads ${documents.described} (got ${source.media_type}); send a PDF, an image as an image_url part, or the file's text as a text part`);
      }
      return [{ type: 'document', source }];
    }
    default:
      throw unsupported(providerId, `${where}.type`, `${apiName(options)} takes no ${part.type} input; send text, images or PDF files`);
  }
}

const imageTypes = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** The image format base64 data starts with (its magic bytes), of the four the API takes; undefined for another. */
function imageFormat(data: string): string | undefined {
  let head: string;
  try {
    // 16 base64 characters are the first 12 bytes.
    head = atob(data.slice(0, 16));
  } catch {
    return undefined;
  }
  if (head.startsWith('\xff\xd8\xff')) return 'image/jpeg';
  if (head.startsWith('\x89PNG\r\n\x1a\n')) return 'image/png';
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'image/gif';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Media types of text files besides `text/*`: JSON, YAML and XML (and `+json`, `+xml` types), read as text. */
const textLikeTypes = new Set(['application/json', 'application/yaml', 'application/x-yaml', 'application/xml']);

function isTextFile(mediaType: string): boolean {
  return mediaType.startsWith('text/') || textLikeTypes.has(mediaType) || mediaType.endsWith('+json') || mediaType.endsWith('+xml');
}

/**
 * What an empty (or whitespace-only) text file is sent as: both APIs refuse a blank text block,
 * and the model should still learn that a file was attached and had nothing in it.
 */
const emptyFileText = '(empty file)';

/**
 * `data:<mime>[;…];base64,<data>` → a base64 source; text (`text/plain`, `text/markdown`,
 * `text/csv`…, JSON, YAML, XML) decoded into a plain-text source, an empty one as {@link emptyFileText}.
 */
function dataSource(providerId: string, url: string, where: string): AnthropicSource | undefined {
  const match = /^data:([^;,]+)[^,]*;base64,/i.exec(url);
  if (match === null) return undefined;
  const named = (match[1] as string).toLowerCase();
  // `image/jpg` is not a registered type, but a common one that OpenAI takes; the API refuses it.
  const mediaType = named === 'image/jpg' ? 'image/jpeg' : named;
  const data = url.slice(match[0].length);
  if (isTextFile(mediaType)) {
    let decoded: string;
    try {
      decoded = atob(data);
    } catch (error) {
      throw unsupported(providerId, where, 'a data: URL says base64, and its data is not base64', error);
    }
    const bytes = Uint8Array.from(decoded, (character) => character.charCodeAt(0));
    const text = textDecoder(match[0]).decode(bytes);
    return { type: 'text', media_type: 'text/plain', data: text.trim() === '' ? emptyFileText : text };
  }
  return { type: 'base64', media_type: mediaType, data };
}

/**
 * A decoder for the charset a data: URL's header names (`;charset=windows-1252`, as a spreadsheet
 * saves a CSV), or UTF-8 when it names none or one TextDecoder does not know.
 */
function textDecoder(header: string): { decode(bytes: Uint8Array): string } {
  const charset = /;\s*charset="?([^";,]+)"?/i.exec(header)?.[1];
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset.trim());
    } catch {
      // An unknown label: read as UTF-8, as before.
    }
  }
  return new TextDecoder();
}

function parseArguments(providerId: string, text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text === '' ? '{}' : text);
  } catch (error) {
    throw unsupported(providerId, where, 'tool call arguments must be a JSON object, as the model produced them', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw unsupported(providerId, where, 'tool call arguments must be a JSON object, as the model produced them');
  }
  return value as Record<string, unknown>;
}

/** A trailing assistant turn is a prefill: the API rejects one that ends in whitespace. */
function trimPrefill(messages: AnthropicMessage[]): void {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return;
  const block = last.content.at(-1);
  if (block?.type !== 'text') return;
  block.text = block.text.trimEnd();
  if (block.text === '') last.content.pop();
  if (last.content.length === 0) messages.pop();
}
