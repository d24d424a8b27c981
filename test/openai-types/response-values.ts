import type OpenAI from 'openai';
import { router } from './router.js';

/* The router's answers, assigned to the openai SDK's types, with sovroute's additions typed. */

export async function responses(): Promise<void> {
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];

  const completion: OpenAI.ChatCompletion = await router.chat.completions.create({ model: 'm', messages });
  const notStreamed: OpenAI.ChatCompletion = await router.chat.completions.create({ model: 'm', messages, stream: false });
  const response = await router.chat.completions.create({ model: 'm', messages, logprobs: true });
  const cost: number = response.usage.cost;
  const currency: string = response.usage.currency;
  const provider: string = response.provider;
  const fallbackUsed: boolean = response.route.fallback_used;
  const usage: OpenAI.CompletionUsage = response.usage;
  const logprobs: OpenAI.ChatCompletion['choices'][number]['logprobs'] | undefined = response.choices[0]?.logprobs;

  const stream = await router.chat.completions.create({ model: 'm', messages, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    const sdkChunk: OpenAI.ChatCompletionChunk = chunk;
    // The last chunk's usage carries cost: no `'cost' in` guard.
    const chunkCost: number | undefined = chunk.usage?.cost;
    const chunkProvider: string | undefined = chunk.provider;
    void [sdkChunk, chunkCost, chunkProvider];
  }

  const floats = await router.embeddings.create({ model: 'e', input: ['a', 'b'] });
  const sdkEmbeddings: OpenAI.CreateEmbeddingResponse = floats;
  const vector: number[] | undefined = floats.data[0]?.embedding;
  const explicitFloats: OpenAI.CreateEmbeddingResponse = await router.embeddings.create({ model: 'e', input: 'a', encoding_format: 'float' });
  const base64 = await router.embeddings.create({ model: 'e', input: 'a', encoding_format: 'base64' });
  const packed: string | undefined = base64.data[0]?.embedding;
  const embeddingCost: number = base64.usage.cost;

  const text: OpenAI.Completion = await router.completions.create({ model: 'm', prompt: 'Once upon a time' });

  const list = await router.models.list();
  const models: OpenAI.Model[] = list.data;
  for await (const model of router.models.list()) {
    const sdkModel: OpenAI.Model = model;
    void sdkModel;
  }

  void [completion, notStreamed, cost, currency, provider, fallbackUsed, usage, logprobs, sdkEmbeddings, vector, explicitFloats, packed, embeddingCost, text, models];
}
