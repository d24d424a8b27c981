import type { EmbeddingsRequest, UpstreamEmbeddingsResponse } from '../../wire/embeddings.js';
import { unsupported } from '../anthropic/unsupported.js';

/*
 * OpenAI embeddings ↔ Bedrock InvokeModel bodies for the two embedding families Bedrock serves:
 * - Amazon Titan Text Embeddings (`amazon.titan-embed-text-v2:0`): one text per call,
 *   `{inputText, dimensions?}` → `{embedding, inputTextTokenCount}`; several inputs are several calls;
 * - Cohere Embed (`cohere.embed-*`): up to 96 texts per call, `{texts, input_type}` →
 *   `{embeddings}`; token counts come in the `x-amzn-bedrock-input-token-count` header.
 *   `input_type` is the request's own (an extension), `search_document` by default.
 * Token-id inputs are refused: neither model family takes them. Vectors come back as floats
 * whatever `encoding_format` asks; the router encodes them as base64 for a caller who wants that
 * (the openai SDK's default).
 */

export type EmbeddingFamily = 'titan' | 'cohere';

/** A model id without its inference-profile prefix. */
const bareModel = (modelId: string): string => modelId.replace(/^(eu|us|apac|global)\./, '');

export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  const bare = bareModel(modelId);
  if (bare.startsWith('amazon.titan-embed')) return 'titan';
  if (bare.startsWith('cohere.embed')) return 'cohere';
  return undefined;
}

/** The texts of a request; throws invalid_request for token ids. */
export function embeddingTexts(providerId: string, request: EmbeddingsRequest): string[] {
  const input = request.input;
  if (typeof input === 'string') return [input];
  if (input.every((item): item is string => typeof item === 'string')) return input;
  throw unsupported(providerId, 'input', 'Bedrock embeds text, not token ids; send strings');
}

/**
 * The InvokeModel bodies for a request: one per text for Titan, batches of 96 for Cohere. Throws
 * invalid_request for `dimensions` with Cohere, whose body has no such field: its vectors would
 * come back at full size, unfit for the index they were asked for.
 */
export function embeddingBodies(providerId: string, family: EmbeddingFamily, texts: readonly string[], request: EmbeddingsRequest): unknown[] {
  if (family === 'titan') {
    const dimensions = titanDimensions(providerId, request.model, request.dimensions);
    return texts.map((text) => (dimensions === undefined ? { inputText: text } : { inputText: text, dimensions }));
  }
  if (request.dimensions !== undefined) throw unsupported(providerId, 'dimensions', 'Cohere Embed on Bedrock returns vectors of its own size; omit dimensions, or use a Titan embedding model');
  const inputType = cohereInputType(providerId, (request as { input_type?: unknown }).input_type);
  const bodies: unknown[] = [];
  for (let start = 0; start < texts.length; start += 96) bodies.push({ texts: texts.slice(start, start + 96), input_type: inputType, truncate: 'END' });
  return bodies;
}

/**
 * The `dimensions` to send Titan. Bedrock refuses other sizes only once called (and a test key
 * would answer them): Text Embeddings V2 makes 256, 512 or 1024 values, V1 only 1536 and takes no
 * `dimensions` field. Other Titan models are left to Bedrock.
 */
function titanDimensions(providerId: string, model: string, dimensions: number | undefined): number | undefined {
  if (dimensions === undefined) return undefined;
  const bare = bareModel(model);
  if (bare.startsWith('amazon.titan-embed-text-v2') && ![256, 512, 1024].includes(dimensions)) {
    throw unsupported(providerId, 'dimensions', 'Titan Text Embeddings V2 makes vectors of 256, 512 or 1024 values; ask for one of these');
  }
  if (bare.startsWith('amazon.titan-embed-text-v1') || bare.startsWith('amazon.titan-embed-g1-text')) {
    if (dimensions === 1536) return undefined;
    throw unsupported(providerId, 'dimensions', 'Titan Text Embeddings V1 makes vectors of 1536 values only; omit dimensions, or use Titan Text Embeddings V2');
  }
  return dimensions;
}

const cohereInputTypes = ['search_document', 'search_query', 'classification', 'clustering'];

/**
 * The caller's `input_type` (an extension of the OpenAI request that Cohere's own API takes): a
 * query is embedded differently from the documents it searches. `search_document` by default.
 */
function cohereInputType(providerId: string, inputType: unknown): string {
  if (inputType === undefined || inputType === null) return 'search_document';
  if (typeof inputType === 'string' && cohereInputTypes.includes(inputType)) return inputType;
  throw unsupported(providerId, 'input_type', 'Cohere Embed takes search_document, search_query, classification or clustering');
}

/** One InvokeModel answer: its vectors, in input order, and the input tokens when reported. */
export interface InvokedEmbeddings {
  vectors: number[][];
  tokens: number | undefined;
}

/** Reads one InvokeModel answer; undefined when it is not one of the known shapes. */
export function readEmbeddings(family: EmbeddingFamily, body: unknown, tokenHeader: string | null): InvokedEmbeddings | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const headerTokens = tokenHeader === null ? undefined : Number(tokenHeader);
  if (family === 'titan') {
    const { embedding, inputTextTokenCount } = body as { embedding?: unknown; inputTextTokenCount?: unknown };
    if (!Array.isArray(embedding)) return undefined;
    return { vectors: [embedding as number[]], tokens: typeof inputTextTokenCount === 'number' ? inputTextTokenCount : headerTokens };
  }
  const { embeddings } = body as { embeddings?: unknown };
  // Cohere answers `{embeddings: [[…]]}`, or `{embeddings: {float: [[…]]}}` when types were asked for.
  const vectors = Array.isArray(embeddings) ? embeddings : (embeddings as { float?: unknown } | undefined)?.float;
  if (!Array.isArray(vectors)) return undefined;
  return { vectors: vectors as number[][], tokens: Number.isFinite(headerTokens) ? headerTokens : undefined };
}

/** The OpenAI list for all answers, in order. */
export function embeddingsResponse(model: string, parts: readonly InvokedEmbeddings[]): UpstreamEmbeddingsResponse {
  const vectors = parts.flatMap((part) => part.vectors);
  const known = parts.every((part) => part.tokens !== undefined);
  const tokens = parts.reduce((sum, part) => sum + (part.tokens ?? 0), 0);
  return {
    object: 'list',
    model,
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    usage: known ? { prompt_tokens: tokens, total_tokens: tokens } : null,
  };
}
