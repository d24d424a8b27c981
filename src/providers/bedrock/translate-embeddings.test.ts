import { describe, expect, it } from 'vitest';
import { RouterError } from '../../errors.js';
import type { EmbeddingsRequest } from '../../wire/embeddings.js';
import { embeddingBodies } from './translate-embeddings.js';

const request = (fields: Partial<EmbeddingsRequest>): EmbeddingsRequest => ({ model: 'cohere.embed-multilingual-v3', input: 'hello', ...fields }) as EmbeddingsRequest;

describe('embeddingBodies', () => {
  it('asks Titan for the dimensions requested', () => {
    expect(embeddingBodies('bedrock-test', 'titan', ['hello'], request({ model: 'amazon.titan-embed-text-v2:0', dimensions: 256 }))).toEqual([{ inputText: 'hello', dimensions: 256 }]);
  });

  it('refuses a size Titan does not make before sending, and sends V1 no dimensions field', () => {
    const titan = (model: string, dimensions: number) => () => embeddingBodies('bedrock-test', 'titan', ['hello'], request({ model, dimensions }));
    expect(titan('amazon.titan-embed-text-v2:0', 1536)).toThrow(/Titan Text Embeddings V2 makes vectors of 256, 512 or 1024 values/);
    expect(titan('amazon.titan-embed-text-v1', 256)).toThrow(/Titan Text Embeddings V1 makes vectors of 1536 values only/);
    expect(titan('amazon.titan-embed-text-v1', 1536)()).toEqual([{ inputText: 'hello' }]);
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

  // Cohere embeds a query and a document differently: a search query embedded as a document
  // retrieves worse, and the caller's input_type (as Cohere's own API and LiteLLM take it) was dropped.
  it("sends Cohere the caller's input_type, and refuses one Cohere does not know", () => {
    const asked = (input_type: unknown) => request({ input_type } as never);
    expect(embeddingBodies('bedrock-test', 'cohere', ['who wrote it?'], asked('search_query'))).toEqual([{ texts: ['who wrote it?'], input_type: 'search_query', truncate: 'END' }]);
    let caught: unknown;
    try {
      embeddingBodies('bedrock-test', 'cohere', ['hello'], asked('query'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'invalid_request', param: 'input_type', status: 400 });
    expect((caught as Error).message).toMatch(/search_document, search_query, classification or clustering/);
  });
});
