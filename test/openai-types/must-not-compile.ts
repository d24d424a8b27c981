import type OpenAI from 'openai';
import { router } from './router.js';

/*
 * What must not compile: each line below is an error, and `@ts-expect-error` makes the fixture
 * fail the day it compiles (types gone loose, an overload lost, `any` leaking out).
 */

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];
declare const flag: boolean;

export async function mistakes(): Promise<void> {
  const response = await router.chat.completions.create({ model: 'm', messages });
  // @ts-expect-error an answer is not a number: the response is typed, not any
  const notANumber: number = response;
  // @ts-expect-error an answer is not a chunk
  const notAChunk: OpenAI.ChatCompletionChunk = response;
  // @ts-expect-error cost is a number
  const costText: string = response.usage.cost;

  // @ts-expect-error stream: true answers a stream, not a ChatCompletion
  const notStreamed: OpenAI.ChatCompletion = await router.chat.completions.create({ model: 'm', messages, stream: true });

  // @ts-expect-error a `stream: boolean` may answer a stream
  const maybeStreamed: OpenAI.ChatCompletion = await router.chat.completions.create({ model: 'm', messages, stream: flag });

  const stream = await router.chat.completions.create({ model: 'm', messages, stream: true });
  for await (const chunk of stream) {
    // @ts-expect-error content chunks have no usage: the final chunk's is optional
    const unguarded: number = chunk.usage.cost;
    void unguarded;
  }

  // @ts-expect-error a misspelt parameter
  await router.chat.completions.create({ model: 'm', messages, temprature: 1 });
  // @ts-expect-error an unknown role
  await router.chat.completions.create({ model: 'm', messages: [{ role: 'robot', content: 'beep' }] });
  // @ts-expect-error a misspelt routing hint
  await router.chat.completions.create({ model: 'm', messages, route: { objectiv: 'cheapest' } });
  // @ts-expect-error messages are required
  await router.chat.completions.create({ model: 'm' });

  const base64 = await router.embeddings.create({ model: 'e', input: 'a', encoding_format: 'base64' });
  // @ts-expect-error base64 vectors are strings, not the SDK's number[]
  const notFloats: OpenAI.CreateEmbeddingResponse = base64;
  const floats = await router.embeddings.create({ model: 'e', input: 'a' });
  // @ts-expect-error float vectors are number[]
  const notText: string | undefined = floats.data[0]?.embedding;

  // The SDK's own types are real types here, not an `any` from a module that failed to resolve.
  // @ts-expect-error not a ChatCompletion
  const sdkCompletion: OpenAI.ChatCompletion = 42;
  // @ts-expect-error not a ChatCompletionChunk
  const sdkChunk: OpenAI.ChatCompletionChunk = 42;
  // @ts-expect-error not a message
  const sdkMessage: OpenAI.ChatCompletionMessageParam = 42;
  // @ts-expect-error not an embeddings response
  const sdkEmbeddings: OpenAI.CreateEmbeddingResponse = 42;
  // @ts-expect-error not a completion
  const sdkText: OpenAI.Completion = 42;
  // @ts-expect-error not a model
  const sdkModel: OpenAI.Model = 42;

  void [sdkCompletion, sdkChunk, sdkMessage, sdkEmbeddings, sdkText, sdkModel];
  void [notANumber, notAChunk, costText, notStreamed, maybeStreamed, notFloats, notText];
}
