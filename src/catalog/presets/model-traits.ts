import type { Capability } from '../../providers/types.js';

/*
 * What a model can do and roughly how good it is, by canonical id, shared by every preset that
 * serves it so that one model is described once. Capabilities are those the model has through
 * OpenAI-compatible APIs (tool calls, JSON output, image input); a provider that lacks one for
 * its deployment says so in its own offer.
 *
 * Quality is a coarse band, not a benchmark score: an editorial ordering for the `quality` and
 * `balanced` strategies, late 2026. Set `quality` on an offer to use your own measurements.
 */

const frontier = 0.9;
const strong = 0.8;
const good = 0.7;
const fair = 0.6;
const small = 0.5;
const tiny = 0.4;

const text: Capability[] = ['chat', 'tools', 'json'];
const multimodal: Capability[] = ['chat', 'tools', 'json', 'vision'];
const embeddings: Capability[] = ['embeddings'];

export interface ModelTraits {
  capabilities: Capability[];
  quality?: number;
}

const traits = (capabilities: Capability[], quality?: number): ModelTraits => (quality === undefined ? { capabilities } : { capabilities, quality });

export const modelTraits: Readonly<Record<string, ModelTraits>> = {
  // OpenAI models (OpenAI, Azure OpenAI)
  'gpt-6.2-astra': traits(multimodal, frontier),
  'gpt-6.2-sol': traits(multimodal, frontier),
  'gpt-6-sol': traits(multimodal, frontier),
  'gpt-6-luna': traits(multimodal, good),
  'gpt-5.6-terra': traits(multimodal, frontier),
  'gpt-5.6-luna': traits(multimodal, good),
  'gpt-5.4': traits(multimodal, frontier),
  'gpt-5.4-mini': traits(multimodal, good),
  'gpt-5.4-nano': traits(multimodal, fair),
  'gpt-5.1': traits(multimodal, strong),
  'gpt-5-mini': traits(multimodal, good),
  'gpt-5-nano': traits(multimodal, fair),
  'gpt-4.1': traits(multimodal, good),
  'gpt-4.1-mini': traits(multimodal, fair),
  'gpt-4o': traits(multimodal, good),
  'gpt-4o-mini': traits(multimodal, fair),
  'text-embedding-3-small': traits(embeddings),
  'text-embedding-3-large': traits(embeddings),
  // Anthropic Claude (JSON answers through a forced tool, see providers/anthropic/json-mode.ts)
  'claude-opus-5-5': traits(multimodal, frontier),
  'claude-opus-5': traits(multimodal, frontier),
  'claude-fable-5': traits(multimodal, frontier),
  'claude-sonnet-5': traits(multimodal, frontier),
  'claude-opus-4-8': traits(multimodal, frontier),
  'claude-sonnet-4-6': traits(multimodal, strong),
  'claude-haiku-4-5': traits(multimodal, good),
  'claude-sonnet-4-5': traits(multimodal, strong),
  'claude-sonnet-4': traits(multimodal, strong),
  // Google Gemini (Gemini API, Vertex AI)
  'gemini-3.7-flash': traits(multimodal, strong),
  'gemini-3.5-flash': traits(multimodal, strong),
  'gemini-3.5-flash-lite': traits(multimodal, good),
  'gemini-3.1-pro-preview': traits(multimodal, frontier),
  'gemini-2.5-pro': traits(multimodal, strong),
  'gemini-2.5-flash': traits(multimodal, good),
  'gemini-2.5-flash-lite': traits(multimodal, fair),
  'gemini-embedding-001': traits(embeddings),
  // Amazon (Bedrock)
  'nova-2-lite': traits(multimodal, good),
  'nova-pro': traits(multimodal, good),
  'nova-lite': traits(multimodal, fair),
  'nova-micro': traits(text, small),
  'titan-embed-text-v2': traits(embeddings),
  // Open-weight OpenAI
  'gpt-oss-120b': traits(text, good),
  'gpt-oss-20b': traits(text, fair),
  // Meta Llama
  'llama-3.3-70b-instruct': traits(text, fair),
  'llama-3.1-405b-instruct': traits(text, fair),
  'llama-3.1-8b-instruct': traits(text, tiny),
  'llama-4-scout': traits(multimodal, fair),
  'llama-4-maverick': traits(multimodal, good),
  // Mistral
  'mistral-large-3': traits(multimodal, strong),
  'mistral-medium-3.5': traits(multimodal, strong),
  'mistral-small-4': traits(multimodal, good),
  'mistral-small-3.2-24b': traits(multimodal, fair),
  'mistral-small-24b': traits(text, fair),
  'magistral-medium': traits(text, strong),
  'magistral-small': traits(text, good),
  codestral: traits(text, good),
  'ministral-8b': traits(text, small),
  'ministral-3b': traits(text, tiny),
  'mistral-nemo-12b': traits(text, small),
  'mistral-7b': traits(['chat', 'json'], tiny),
  'pixtral-12b': traits(multimodal, small),
  'mistral-embed': traits(embeddings),
  // Qwen
  'qwen3.5-397b-a17b': traits(text, strong),
  'qwen3.5-122b-a10b': traits(text, good),
  'qwen3.5-9b': traits(text, small),
  'qwen3.8-27b': traits(text, good),
  'qwen3.6-35b-a3b': traits(text, good),
  'qwen3-235b-a22b-2507': traits(text, good),
  'qwen3-235b-a22b': traits(text, good),
  'qwen3-32b': traits(text, fair),
  'qwen3-30b-a3b': traits(text, fair),
  'qwen3-coder-480b': traits(text, strong),
  'qwen3-coder-next-80b': traits(text, good),
  'qwen3-coder-30b-a3b': traits(text, fair),
  'qwen3-vl-235b-a22b': traits(multimodal, good),
  'qwen3-embedding-8b': traits(embeddings),
  'qwen3-vl-embedding-8b': traits(embeddings),
  'bge-multilingual-gemma2': traits(embeddings),
  // DeepSeek, Zhipu GLM, Moonshot Kimi, MiniMax, Google Gemma, NVIDIA
  'deepseek-v4-pro': traits(text, frontier),
  'deepseek-v4-flash': traits(text, strong),
  'glm-5.3': traits(text, frontier),
  'glm-5.3-flash': traits(text, good),
  'glm-5.2': traits(text, strong),
  'glm-4.7': traits(text, good),
  'kimi-k3': traits(multimodal, frontier),
  'kimi-k2.6': traits(multimodal, strong),
  'minimax-m3': traits(text, strong),
  'minimax-m2.5': traits(text, good),
  'gemma-4-31b': traits(multimodal, good),
  'gemma-4-26b-a4b': traits(multimodal, fair),
  'gemma-3-27b': traits(['chat', 'json', 'vision'], small),
  'nemotron-3-super-120b': traits(text, good),
  // Polish-language models
  'bielik-11b-v3': traits(['chat'], small),
};
