import { http, HttpResponse } from 'msw';
import { vi } from 'vitest';

/* The built-in catalogue against msw: every preset's key in its environment variable, and one
 * handler that answers any chat, completion or embeddings call like an OpenAI-compatible API. */

/** The environment variables the presets read their keys from. */
export const presetKeyVariables = [
  'MISTRAL_API_KEY',
  'SCW_SECRET_KEY',
  'OVHCLOUD_API_KEY',
  'IONOS_API_TOKEN',
  'STACKIT_MODEL_SERVING_AUTH_TOKEN',
  'BERGET_API_KEY',
  'REGOLO_API_KEY',
  'T_SYSTEMS_LLM_API_KEY',
  'EVROC_API_KEY',
  'CLOUDFERRO_SHERLOCK_API_KEY',
  'INFOMANIAK_API_TOKEN',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'GROQ_API_KEY',
  'TOGETHER_API_KEY',
  'DEEPINFRA_API_KEY',
  'FIREWORKS_API_KEY',
  'CEREBRAS_API_KEY',
  'NEBIUS_API_KEY',
  'GEMINI_API_KEY',
];

/** Gives every preset a key (and Infomaniak its product id) for this test (undo with `vi.unstubAllEnvs()`). */
export function stubPresetKeys(): void {
  for (const name of presetKeyVariables) vi.stubEnv(name, `sk-${name.toLowerCase()}`);
  vi.stubEnv('INFOMANIAK_PRODUCT_ID', '105123');
}

const usage = { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 };

/** Answers `POST …/chat/completions`, `…/completions` and `…/embeddings` on any host. */
export const anyUpstream = [
  http.post(/\/chat\/completions$/, async ({ request }) => {
    const { model } = (await request.json()) as { model: string };
    return HttpResponse.json({
      id: 'chatcmpl-upstream',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour.', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage,
    });
  }),
  http.post(/\/completions$/, async ({ request }) => {
    const { model } = (await request.json()) as { model: string };
    return HttpResponse.json({
      id: 'cmpl-upstream',
      object: 'text_completion',
      created: 1_700_000_000,
      model,
      choices: [{ text: ' there', index: 0, logprobs: null, finish_reason: 'length' }],
      usage,
    });
  }),
  http.post(/\/embeddings$/, async ({ request }) => {
    const { model } = (await request.json()) as { model: string };
    return HttpResponse.json({ object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }], usage });
  }),
];
