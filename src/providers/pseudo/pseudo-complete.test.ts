import { describe, expect, it } from 'vitest';
import { RouterError } from '../../errors.js';
import { completionRequestSchema, type CompletionCreateParams } from '../../wire/completions.js';
import { pseudoComplete } from './pseudo-llm.js';
import { tokenize } from './text-generator.js';

function complete(params: Partial<CompletionCreateParams>, attempt = 0) {
  return pseudoComplete(completionRequestSchema.parse({ model: 'm', prompt: 'Once upon a time', ...params }), { model: 'native-m', attempt });
}

describe('pseudoComplete', () => {
  it('answers the same prompt with the same text, and another prompt with another', async () => {
    const first = await complete({ max_tokens: 40 });
    const again = await complete({ max_tokens: 40 });
    const other = await complete({ prompt: 'The invoice total is', max_tokens: 40 });
    expect(first).toEqual(again);
    expect(first).toMatchObject({ object: 'text_completion', model: 'native-m' });
    expect(first.choices[0]?.text).toContain('Once upon a time');
    expect(other.choices[0]?.text).not.toBe(first.choices[0]?.text);
  });

  it('stops at 16 tokens by default, as OpenAI does, and reports finish_reason length', async () => {
    const response = await complete({});
    const choice = response.choices[0]!;
    expect(tokenize(choice.text)).toHaveLength(16);
    expect(choice.finish_reason).toBe('length');
    expect(response.usage).toMatchObject({ completion_tokens: 16, prompt_tokens: 4, total_tokens: 20 });
  });

  it('cuts the text before a stop sequence, with finish_reason stop', async () => {
    const full = (await complete({ max_tokens: 200 })).choices[0]!;
    expect(full.finish_reason).toBe('stop');
    const cut = (await complete({ max_tokens: 200, stop: ['.'] })).choices[0]!;
    expect(cut.text).toBe(full.text.slice(0, full.text.indexOf('.')));
    expect(cut.finish_reason).toBe('stop');
  });

  it('gives n choices per prompt, indexed prompt by prompt, and echoes the prompt when asked', async () => {
    const response = await complete({ prompt: ['Alpha', 'Beta'], n: 2, echo: true, max_tokens: 30 });
    expect(response.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3]);
    expect(response.choices.map((choice) => choice.text.split(' ')[0])).toEqual(['Alpha', 'Alpha', 'Beta', 'Beta']);
    expect(response.choices[0]?.text).not.toBe(response.choices[1]?.text);
    expect(response.usage?.completion_tokens).toBe(120);
  });

  it('injects a simulated fault on the first attempts only', async () => {
    const failed = await complete({ simulate: { fault: 'server_error', times: 1 } }).catch((error: unknown) => error);
    expect(RouterError.isInstance(failed) && failed.upstreamStatus).toBe(500);
    await expect(complete({ simulate: { fault: 'server_error', times: 1 } }, 1)).resolves.toMatchObject({ object: 'text_completion' });
  });
});
