import { describe, expect, it } from 'vitest';
import { chatRequestSchema, type ChatCompletionCreateParams } from '../../wire/chat-request.js';
import type { UpstreamChatCompletionChunk } from '../../wire/chat-response.js';
import { pseudoChat, pseudoChatStream } from './pseudo-llm.js';

const options = { model: 'pseudo-model', attempt: 0 };
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
} as const;

const cases: Record<string, Partial<ChatCompletionCreateParams>> = {
  text: {},
  'several choices': { n: 3 },
  stop: { stop: ['budget', 'policy', 'model'] },
  'token limit': { max_tokens: 7 },
  'json schema': { response_format: { type: 'json_schema', json_schema: { name: 'out', schema: weather.function.parameters } } },
  'tool call': { tools: [weather] },
  'tool calls in several choices': { tools: [weather], n: 2 },
};

async function collect(chunks: AsyncIterable<UpstreamChatCompletionChunk>): Promise<UpstreamChatCompletionChunk[]> {
  const collected: UpstreamChatCompletionChunk[] = [];
  for await (const chunk of chunks) collected.push(chunk);
  return collected;
}

describe('pseudoChatStream', () => {
  for (const [name, params] of Object.entries(cases)) {
    it(`streams the same answer as pseudoChat (${name})`, async () => {
      const request = chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: 'Compare two routers.' }], ...params });
      const completion = await pseudoChat(request, options);
      const chunks = await collect(await pseudoChatStream(request, options));
      const last = chunks.at(-1);

      for (const chunk of chunks) {
        expect(chunk).toMatchObject({ id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: 'pseudo-model' });
      }
      expect(last).toMatchObject({ choices: [], usage: completion.usage });
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null && chunk.choices.length === 1)).toBe(true);

      for (const choice of completion.choices) {
        const deltas = chunks.flatMap((chunk) => chunk.choices).filter((entry) => entry.index === choice.index);
        expect(deltas[0]?.delta.role).toBe('assistant');
        expect(deltas.filter((entry) => entry.finish_reason !== null).map((entry) => entry.finish_reason)).toEqual([choice.finish_reason]);
        expect(deltas.at(-1)).toMatchObject({ delta: {}, finish_reason: choice.finish_reason });
        const content = deltas.map((entry) => entry.delta.content ?? '').join('');
        expect(content).toBe(choice.message.content ?? '');

        const toolDeltas = deltas.flatMap((entry) => entry.delta.tool_calls ?? []);
        const call = choice.message.tool_calls?.[0];
        if (call === undefined) {
          expect(toolDeltas).toEqual([]);
          expect(deltas[0]?.delta.content).toBe('');
          continue;
        }
        expect(deltas[0]?.delta.content).toBeNull();
        expect(toolDeltas[0]).toEqual({ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } });
        expect(toolDeltas.slice(1).every((delta) => delta.index === 0 && delta.id === undefined)).toBe(true);
        expect(toolDeltas.map((delta) => delta.function?.arguments ?? '').join('')).toBe(call.function.arguments);
      }
    });
  }

  it('streams choices in index order, each closed before the next opens', async () => {
    const request = chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], n: 3 });
    const indexes = (await collect(await pseudoChatStream(request, options))).flatMap((chunk) => chunk.choices.map((choice) => choice.index));
    expect(indexes).toEqual([...indexes].sort());
  });
});
