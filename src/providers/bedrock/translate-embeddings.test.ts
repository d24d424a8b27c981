import { describe, expect, it } from 'vitest';
import { RouterError } from '../../errors.js';
import type { EmbeddingsRequest } from '../../wire/embeddings.js';
import { embeddingBodies } from './translate-embeddings.js';

const request = (fields: Partial<EmbeddingsRequest>): EmbeddingsRequest => ({ model: 'cohere.embed-multilingual-v3', input: 'hello', ...fields }) as EmbeddingsRequest;

describe('embeddingBodies', () => {
  it('asks Titan for the dimensions requested', () => {
    expect(embeddingBodies('bedrock-test', 'titan', ['hello'], request({ model: 'amazon.titan-embed-text-v2:0', dimensions: 256 }))).toEqual([{ inputText: 'hello', dimensions: 256 }]);
  });

  it('refuses dimensions for Cohere Embed, whose body has no such field, rather than answering with full-size vectors', () => {
    let caught: unknown;
    try {
      embeddingBodies('bedrock-test', 'cohere', ['hello'], request({ dimensions: 256 }));
    } catch (error) {
      caught = error;
    }
    expect(RouterError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'invalid_request', param: 'dimensions', status: 400 });
    expect(embeddingBodies('bedrock-test', 'cohere', ['hello'], request({}))).toEqual([{ texts: ['hello'], input_type: 'search_document', truncate: 'END' }]);
  });
});
