import { InvalidRequestError } from '../errors.js';
import type { ChatCompletionCreateParams } from '../wire/chat-request.js';
import type { ResponseItem } from './wire.js';
import { quote } from '../internal/quote.js';

/*
 * Responses input items → Chat Completions messages. `function_call` items join the assistant
 * message before them (consecutive calls share one assistant turn, which providers with strict
 * turn order require); `function_call_output` becomes a `tool` message; reasoning items are
 * dropped (a Chat provider cannot take them back). Anything else is a 400 naming the item.
 */

type ChatMessageParam = ChatCompletionCreateParams['messages'][number];
type ContentPart = Record<string, unknown>;
type AssistantMessage = Extract<ChatMessageParam, { role: 'assistant' }>;

/** A translated item: the messages it adds, given those before it. */
export interface LabelledItem {
  item: ResponseItem;
  /** How the request names it in an error, e.g. `input[2]`. */
  param: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A user message's parts: `input_text`, `input_image` and `input_file` in their Chat form. */
function userPart(part: ContentPart, param: string): ContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: text(part.text) ?? '' };
    case 'input_image': {
      const url = text(part.image_url);
      if (url === undefined) {
        throw new InvalidRequestError(`${param}: an input_image needs image_url (a URL or a data: URL); file_id is not supported by this router.`, `${param}.image_url`);
      }
      const detail = text(part.detail);
      return { type: 'image_url', image_url: { url, ...(detail ? { detail } : {}) } };
    }
    case 'input_file': {
      if (part.file_url !== undefined) throw new InvalidRequestError(`${param}: input_file with file_url is not supported; send file_data.`, `${param}.file_url`);
      const file: Record<string, unknown> = {};
      for (const key of ['file_data', 'file_id', 'filename'] as const) if (typeof part[key] === 'string') file[key] = part[key];
      return { type: 'file', file };
    }
    default:
      throw new InvalidRequestError(`${param}: content part type '${quote(part.type)}' is not supported.`, `${param}.type`);
  }
}

function joinedText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new InvalidRequestError(`${param}: content must be a string or a list of parts.`, `${param}.content`);
  return content
    .map((part: ContentPart, index) => {
      if (part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') return text(part.text) ?? '';
      if (part.type === 'refusal') return '';
      throw new InvalidRequestError(`${param}: a ${quote(part.type)} part is not allowed here; only text.`, `${param}.content[${index}].type`);
    })
    .join('');
}

function messageOf(item: ResponseItem, param: string): ChatMessageParam {
  const role = item.role;
  if (role === 'user') {
    const content = item.content;
    if (typeof content === 'string') return { role: 'user', content };
    if (!Array.isArray(content)) throw new InvalidRequestError(`${param}: content must be a string or a list of parts.`, `${param}.content`);
    return { role: 'user', content: content.map((part: ContentPart, index) => userPart(part, `${param}.content[${index}]`)) } as unknown as ChatMessageParam;
  }
  // Chat's `developer` role is OpenAI's alone; `system` means the same everywhere.
  if (role === 'system' || role === 'developer') return { role: 'system', content: joinedText(item.content, param) };
  if (role === 'assistant') {
    const refusal = Array.isArray(item.content)
      ? (item.content as ContentPart[]).filter((part) => part.type === 'refusal').map((part) => text(part.refusal) ?? '').join('')
      : '';
    return { role: 'assistant', content: joinedText(item.content, param), ...(refusal ? { refusal } : {}) };
  }
  throw new InvalidRequestError(`${param}: role '${quote(role)}' is not one of user, assistant, system, developer.`, `${param}.role`);
}

/** The text of a `function_call_output`, and the images it carried (which a `tool` message cannot). */
function toolOutput(output: unknown, param: string): { content: string; images: ContentPart[] } {
  if (typeof output === 'string') return { content: output, images: [] };
  if (!Array.isArray(output)) throw new InvalidRequestError(`${param}: output must be a string or a list of parts.`, `${param}.output`);
  const texts: string[] = [];
  const images: ContentPart[] = [];
  for (const [index, part] of (output as ContentPart[]).entries()) {
    if (part.type === 'input_text') texts.push(text(part.text) ?? '');
    else images.push(userPart(part, `${param}.output[${index}]`));
  }
  return { content: texts.join(''), images };
}

/**
 * The messages for a conversation given as items, in order. `origins`, when given, receives for
 * each message the param of the item it began with (what a refusal of that message names).
 */
export function itemsToMessages(items: readonly LabelledItem[], origins?: string[]): ChatMessageParam[] {
  const messages: ChatMessageParam[] = [];
  // Images from tool outputs wait for the last of a run of tool messages: a user message between
  // two of them would leave the second answering no call (providers refuse that order).
  let images: { parts: ContentPart[]; param: string } | undefined;
  const flushImages = () => {
    if (!images) return;
    messages.push({ role: 'user', content: images.parts } as unknown as ChatMessageParam);
    origins?.push(images.param);
    images = undefined;
  };
  for (const { item, param } of items) {
    const type = item.type ?? 'message';
    if (type !== 'function_call_output' && type !== 'reasoning') flushImages();
    const count = messages.length;
    if (type === 'message') {
      messages.push(messageOf(item, param));
    } else if (type === 'function_call') {
      const name = text(item.name);
      const callId = text(item.call_id);
      if (!name || !callId) throw new InvalidRequestError(`${param}: a function_call needs call_id and name.`, `${param}.${name ? 'call_id' : 'name'}`);
      if (item.arguments != null && typeof item.arguments !== 'string') {
        throw new InvalidRequestError(`${param}: a function_call's arguments must be a string (JSON text).`, `${param}.arguments`);
      }
      const call = { id: callId, type: 'function' as const, function: { name, arguments: text(item.arguments) ?? '{}' } };
      const last = messages.at(-1);
      if (last?.role === 'assistant') {
        const assistant = last as AssistantMessage;
        assistant.tool_calls = [...(assistant.tool_calls ?? []), call];
        if (assistant.content === '') assistant.content = null;
      } else {
        messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      }
    } else if (type === 'function_call_output') {
      const callId = text(item.call_id);
      if (!callId) throw new InvalidRequestError(`${param}: a function_call_output needs call_id.`, `${param}.call_id`);
      const output = toolOutput(item.output, param);
      messages.push({ role: 'tool', tool_call_id: callId, content: output.content });
      if (output.images.length > 0) images = { parts: [...(images?.parts ?? []), ...output.images], param: images?.param ?? param };
    } else if (type === 'reasoning') {
      continue;
    } else {
      throw new InvalidRequestError(
        `${param}: items of type '${quote(type)}' (built-in tool calls and their results) are not supported by this router; only messages, function_call and function_call_output.`,
        `${param}.type`,
      );
    }
    for (let index = count; index < messages.length; index++) origins?.push(param);
  }
  flushImages();
  return messages;
}
