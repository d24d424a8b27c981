import type { ChatRequest } from '../../wire/chat-request.js';

/*
 * `stop` and `max_tokens` / `max_completion_tokens` applied to a text answer, as a real model
 * applies them while generating: whichever the generation reaches first ends it.
 */

/** The request fields that limit generation; chat and legacy completion requests both have them. */
export type GenerationLimits = Partial<Pick<ChatRequest, 'stop' | 'max_tokens' | 'max_completion_tokens'>>;

export interface LimitedPieces {
  pieces: string[];
  finishReason: 'stop' | 'length';
}

/** The token limit: the smaller of `max_tokens` and `max_completion_tokens`. */
function tokenLimit(request: GenerationLimits): number {
  return Math.min(request.max_tokens ?? Infinity, request.max_completion_tokens ?? Infinity);
}

/** Where the first stop sequence to complete starts and ends in `text`, if any does. */
function firstStop(text: string, stop: ChatRequest['stop']): { start: number; end: number } | undefined {
  let first: { start: number; end: number } | undefined;
  for (const sequence of typeof stop === 'string' ? [stop] : (stop ?? [])) {
    const start = sequence === '' ? -1 : text.indexOf(sequence);
    if (start >= 0 && (first === undefined || start + sequence.length < first.end)) {
      first = { start, end: start + sequence.length };
    }
  }
  return first;
}

/**
 * Cuts `pieces` right before the first stop sequence, or at the token limit when that comes
 * first. A stop sequence counts only once fully generated within the limit; the piece it
 * starts in is kept in part, and counts as a token.
 */
export function limitPieces(pieces: string[], request: GenerationLimits): LimitedPieces {
  const limited = pieces.slice(0, tokenLimit(request));
  const stop = firstStop(pieces.join(''), request.stop);
  if (stop !== undefined && stop.end <= limited.join('').length) {
    const kept: string[] = [];
    let length = 0;
    for (const piece of limited) {
      if (length >= stop.start) break;
      kept.push(piece.slice(0, stop.start - length));
      length += piece.length;
    }
    return { pieces: kept, finishReason: 'stop' };
  }
  return { pieces: limited, finishReason: limited.length < pieces.length ? 'length' : 'stop' };
}
