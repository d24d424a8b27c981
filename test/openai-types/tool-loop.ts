import type OpenAI from 'openai';
import { router } from './router.js';

/*
 * A tool-calling loop written against the openai SDK's types, as a migrated codebase has it:
 * the history is the SDK's ChatCompletionMessageParam[], the tools are the SDK's, and the
 * router's answer message goes back into the history. No cast anywhere.
 */

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    },
  },
];

function weather(city: string): string {
  return JSON.stringify({ city, celsius: 21 });
}

export async function answer(question: string): Promise<string | null> {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'developer', content: 'Answer in one sentence.' },
    { role: 'user', content: question },
  ];
  for (let turn = 0; turn < 5; turn++) {
    const response = await router.chat.completions.create({ model: 'eu-sovereign/cheapest', messages, tools, tool_choice: 'auto' });
    const [choice] = response.choices;
    if (!choice) return null;
    messages.push(choice.message);
    const calls = choice.message.tool_calls ?? [];
    if (calls.length === 0 || choice.finish_reason !== 'tool_calls') return choice.message.content;
    for (const call of calls) {
      const parsed: { city: string } = JSON.parse(call.function.arguments);
      messages.push({ role: 'tool', tool_call_id: call.id, content: weather(parsed.city) });
    }
  }
  return null;
}

/** The same loop over a history kept in a variable typed with the SDK's whole request. */
export async function again(params: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<OpenAI.ChatCompletion> {
  const response = await router.chat.completions.create(params);
  const [choice] = response.choices;
  if (choice) params.messages.push(choice.message);
  return router.chat.completions.create({ ...params, messages: params.messages });
}
