import type OpenAI from 'openai';
import { router } from './router.js';

/* Every kind of request value the openai SDK types, passed to the router as it is. */

const system: OpenAI.ChatCompletionSystemMessageParam = { role: 'system', content: [{ type: 'text', text: 'Be brief.' }], name: 'rules' };
const developer: OpenAI.ChatCompletionDeveloperMessageParam = { role: 'developer', content: 'Answer in French.' };
const user: OpenAI.ChatCompletionUserMessageParam = {
  role: 'user',
  content: [
    { type: 'text', text: 'What is in this picture, this recording and this file?' },
    { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
    { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
    { type: 'file', file: { file_id: 'file-abc', filename: 'report.pdf' } },
  ],
};
const assistant: OpenAI.ChatCompletionAssistantMessageParam = {
  role: 'assistant',
  content: [{ type: 'refusal', refusal: 'I cannot.' }],
  tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
};
const tool: OpenAI.ChatCompletionToolMessageParam = { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '42' }] };
const legacyFunction: OpenAI.ChatCompletionFunctionMessageParam = { role: 'function', name: 'lookup', content: null };
const messages: OpenAI.ChatCompletionMessageParam[] = [system, developer, user, assistant, tool, legacyFunction];

const named: OpenAI.ChatCompletionToolChoiceOption = { type: 'function', function: { name: 'lookup' } };
const format: NonNullable<OpenAI.ChatCompletionCreateParams['response_format']> = {
  type: 'json_schema',
  json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
};

declare const nonStreaming: OpenAI.ChatCompletionCreateParamsNonStreaming;
declare const streaming: OpenAI.ChatCompletionCreateParamsStreaming;
declare const either: OpenAI.ChatCompletionCreateParams;
declare const completionParams: OpenAI.CompletionCreateParamsNonStreaming;
declare const embeddingParams: OpenAI.EmbeddingCreateParams;
declare const streamFlag: boolean;

export async function requests(): Promise<void> {
  await router.chat.completions.create({ model: 'm', messages, tool_choice: named, response_format: format, temperature: 0.2, stop: ['\n'] });
  await router.chat.completions.create({ model: 'm', messages, response_format: { type: 'json_object' }, tool_choice: 'required', seed: 1 });
  await router.chat.completions.create({ model: 'm', messages, reasoning_effort: 'low', metadata: { team: 'a' }, user: 'u', n: 1 });
  await router.chat.completions.create({ model: 'm', messages, route: { objective: 'cheapest', max_cost: 0.01 } });
  // The SDK's whole request types, each to the overload that answers what the SDK's would.
  const answer: OpenAI.ChatCompletion = await router.chat.completions.create(nonStreaming);
  const stream: AsyncIterable<OpenAI.ChatCompletionChunk> = await router.chat.completions.create(streaming);
  const eitherAnswer = await router.chat.completions.create(either);
  const flagged = await router.chat.completions.create({ model: 'm', messages, stream: streamFlag });
  await router.completions.create(completionParams);
  await router.embeddings.create(embeddingParams);
  void [answer, stream, eitherAnswer, flagged];
}
