import { describe, expect, it } from 'vitest';
import { chatRequestSchema, type ChatCompletionCreateParams } from '../../wire/chat-request.js';
import { limitPieces } from './stop-and-length.js';

const pieces = ['Hello', ' brave', ' new', ' world', '.'];

function limit(params: Partial<ChatCompletionCreateParams>) {
  return limitPieces(pieces, chatRequestSchema.parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...params }));
}

describe('limitPieces', () => {
  it('keeps everything without stop or limit', () => {
    expect(limit({})).toEqual({ pieces, finishReason: 'stop' });
  });

  it('keeps the part of a piece before a stop sequence that starts inside it', () => {
    expect(limit({ stop: 'ave' })).toEqual({ pieces: ['Hello', ' br'], finishReason: 'stop' });
    expect(limit({ stop: ' new' })).toEqual({ pieces: ['Hello', ' brave'], finishReason: 'stop' });
    expect(limit({ stop: 'Hello' })).toEqual({ pieces: [], finishReason: 'stop' });
  });

  it('ends at the stop sequence that completes first', () => {
    expect(limit({ stop: ['brave new world', 'new'] })).toEqual({ pieces: ['Hello', ' brave', ' '], finishReason: 'stop' });
    expect(limit({ stop: ['', 'world'] })).toEqual({ pieces: ['Hello', ' brave', ' new', ' '], finishReason: 'stop' });
  });

  it('counts a stop sequence only when it completes within the token limit', () => {
    expect(limit({ max_tokens: 2 })).toEqual({ pieces: ['Hello', ' brave'], finishReason: 'length' });
    expect(limit({ max_tokens: 2, stop: 'brave n' })).toEqual({ pieces: ['Hello', ' brave'], finishReason: 'length' });
    expect(limit({ max_tokens: 3, stop: 'brave n' })).toEqual({ pieces: ['Hello', ' '], finishReason: 'stop' });
    expect(limit({ max_tokens: 5 })).toEqual({ pieces, finishReason: 'stop' });
  });
});
