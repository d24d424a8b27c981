import { describe, expect, it } from 'vitest';
import { createRouter, InvalidRequestError, openaiCompatible, type ChatCompletionMessageParam } from '../src/index.js';

/*
 * The request types accept every value the openai SDK's types describe (test/openai-types).
 * At run time each such value is either taken (and passed on to the upstream) or refused with
 * a 400 that names the field: never a crash, never a silent drop. Answered by the pseudo-LLM
 * (a `test-` key), so nothing leaves the process.
 */

const router = createRouter({
  apiKey: 'test-openai-values',
  providers: [
    openaiCompatible({
      id: 'local',
      baseURL: 'http://127.0.0.1:9/v1',
      models: [{ id: 'm', capabilities: ['chat', 'tools', 'vision', 'json', 'completions'] }],
    }),
  ],
});

const taken: Record<string, ChatCompletionMessageParam[]> = {
  'a developer message': [{ role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', content: 'Hi' }],
  'a legacy function message': [{ role: 'user', content: 'Hi' }, { role: 'function', name: 'lookup', content: null }],
  'an input_audio part': [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }],
  'a file part': [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc', filename: 'a.pdf' } }] }],
  "an image with detail 'original'": [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'original' } }] }],
  'a text part with a cache breakpoint': [{ role: 'user', content: [{ type: 'text', text: 'Hi', prompt_cache_breakpoint: { mode: 'explicit', ttl: '30m' } }] }],
  'an assistant refusal part': [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] }, { role: 'user', content: 'Please' }],
};

describe("the openai SDK's request values at run time", () => {
  it.each(Object.entries(taken))('takes %s', async (_name, messages) => {
    const response = await router.chat.completions.create({ model: 'local/m', messages });
    expect(response.choices[0]?.message.role).toBe('assistant');
  });

  it('takes custom tools and an allowed_tools choice', async () => {
    const response = await router.chat.completions.create({
      model: 'local/m',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ type: 'custom', custom: { name: 'sql', description: 'Runs SQL', format: { type: 'text' } } }],
      tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'custom', custom: { name: 'sql' } }] } },
    });
    expect(response.provider).toBe('local');
  });

  it('refuses a custom tool call in the history with a 400 naming it', async () => {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'sql', input: 'SELECT 1' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '1' },
    ];
    const error = await router.chat.completions.create({ model: 'local/m', messages }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, param: 'messages[1].tool_calls[0].type' });
  });

  it('refuses a null legacy prompt and a streamed legacy completion with a 400 naming the field', async () => {
    await expect(router.completions.create({ model: 'local/m', prompt: null })).rejects.toMatchObject({ status: 400, param: 'prompt' });
    await expect(router.completions.create({ model: 'local/m', prompt: 'Once', stream: true })).rejects.toMatchObject({ status: 400, param: 'stream' });
  });
});
