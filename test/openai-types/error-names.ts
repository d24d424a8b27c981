import type { ChatCompletion } from 'openai/resources/chat/completions';
import { router } from './router.js';

/*
 * Deliberate errors: the test reads tsc's messages for them and checks that they name the
 * router's types by their public names, never by a bundler's hashed chunk and one-letter alias.
 * The SDK's `ChatCompletion` is in scope under its own name, so the two types of that name meet
 * in one message, as they do in a user's code, and tsc prints both with where they come from.
 */

declare const sdkAnswers: ChatCompletion[];

export async function deliberateErrors(): Promise<void> {
  const answer = await router.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hello' }] });
  const wrong: number = answer;
  const answers: Array<typeof answer> = sdkAnswers;
  void [wrong, answers];
}
