import { estimateTextTokens } from '../../pricing/tokens.js';
import { defaultCompletionMaxTokens, type CompletionChoice, type CompletionRequest, type UpstreamCompletion } from '../../wire/completions.js';
import { acceptOneShot } from './faults.js';
import type { PseudoCallOptions } from './pseudo-llm.js';
import { canonicalJson, hashText, seededRandom } from './seeded-random.js';
import { SimulationBudget } from './simulation-budget.js';
import { limitPieces } from './stop-and-length.js';
import { generateReply, tokenize } from './text-generator.js';

/*
 * Legacy completions from the pseudo-LLM: the same deterministic prose as chat, continuing each
 * prompt. As OpenAI does, a prompt array gets `n` choices per prompt, `echo` puts the prompt
 * in front of the text, and the token limit defaults to 16.
 */

const created = 1_700_000_000;

/** Each prompt as text with its token count; a token array counts its tokens exactly. */
function prompts(prompt: CompletionRequest['prompt']): { text: string; tokens: number }[] {
  if (typeof prompt === 'string') return [{ text: prompt, tokens: estimateTextTokens(prompt) }];
  if (prompt.every((entry) => typeof entry === 'number')) return [{ text: prompt.join(' '), tokens: prompt.length }];
  return prompt.map((entry) =>
    typeof entry === 'string' ? { text: entry, tokens: estimateTextTokens(entry) } : { text: entry.join(' '), tokens: entry.length },
  );
}

/** A deterministic `text_completion` for `request`. Rejects with the `RouterError` of a simulated fault. */
export async function pseudoComplete(request: CompletionRequest, options: PseudoCallOptions): Promise<UpstreamCompletion> {
  await acceptOneShot(request.simulate, options);

  const limits = { stop: request.stop, max_tokens: request.max_tokens ?? defaultCompletionMaxTokens };
  const perPrompt = request.n ?? 1;
  const inputs = prompts(request.prompt);
  // Prompts times n choices, each perhaps echoing its prompt: held to maxAnswerBytes as written.
  const budget = new SimulationBudget(options.limits);
  const choices: CompletionChoice[] = [];
  let completionTokens = 0;
  inputs.forEach((input, promptIndex) => {
    const key = canonicalJson({ model: request.model, prompt: input.text, seed: request.seed });
    for (let choice = 0; choice < perPrompt; choice++) {
      const random = seededRandom(hashText(key, choice));
      // A continuation: the text starts after the prompt, with a space.
      const { pieces, finishReason } = limitPieces(tokenize(` ${generateReply(random, input.text)}`), limits);
      completionTokens += pieces.length;
      const text = pieces.join('');
      budget.spend(text.length + (request.echo === true ? input.text.length : 0), `choice ${promptIndex * perPrompt + choice}`, 'n');
      choices.push({
        text: request.echo === true ? input.text + text : text,
        index: promptIndex * perPrompt + choice,
        logprobs: null,
        finish_reason: finishReason,
      });
    }
  });
  const promptTokens = inputs.reduce((sum, input) => sum + input.tokens, 0);
  return {
    id: `cmpl-pseudo-${hashText(canonicalJson({ model: request.model, prompt: request.prompt, seed: request.seed, n: perPrompt })).toString(36)}`,
    object: 'text_completion',
    created,
    model: options.model,
    choices,
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}
