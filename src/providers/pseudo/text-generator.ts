import type { Random } from './seeded-random.js';

/*
 * The pseudo-LLM's prose: a preamble quoting the request, then sentences built from fixed word
 * lists on one template, so the text reads as English and varies only with the seed.
 */

const adjectives = [
  'careful', 'steady', 'simple', 'useful', 'quiet', 'clear', 'brief', 'exact',
  'local', 'modest', 'patient', 'plain', 'quick', 'stable', 'tidy', 'honest',
] as const;
const nouns = [
  'router', 'model', 'answer', 'policy', 'request', 'stream', 'provider', 'budget',
  'record', 'schema', 'signal', 'region', 'summary', 'result', 'context', 'sample',
] as const;
const verbs = [
  'checks', 'follows', 'answers', 'routes', 'records', 'explains', 'shapes', 'keeps',
  'measures', 'trusts', 'reads', 'writes', 'selects', 'serves', 'tests', 'honours',
] as const;
const prepositions = ['for', 'with', 'under', 'after', 'before', 'beside', 'within', 'across'] as const;

/** How much of the user's message the preamble quotes. @unit characters */
const quoteLength = 40;

/**
 * Splits text into the pieces the pseudo-LLM counts as tokens: a word with its leading
 * whitespace, or one other character with its leading whitespace. Joining the pieces gives the
 * text back exactly, so truncation and streaming can work on pieces.
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*(?:[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])|\s+$/gu) ?? [];
}

/** `count` random words joined by spaces, for strings inside generated JSON. */
export function randomWords(random: Random, count: number): string {
  return Array.from({ length: count }, () => random.pick(random.next() < 0.5 ? adjectives : nouns)).join(' ');
}

function sentence(random: Random): string {
  const words = [
    'The', random.pick(adjectives), random.pick(nouns), random.pick(verbs),
    'the', random.pick(adjectives), random.pick(nouns),
  ];
  if (random.next() < 0.6) words.push(random.pick(prepositions), 'the', random.pick(nouns));
  return ` ${words.join(' ')}.`;
}

/**
 * The first `quoteLength + 1` characters of `prompt` with runs of whitespace as one space and
 * none at either end: read from the start only, however long the prompt.
 */
function quoteStart(prompt: string): string[] {
  const characters: string[] = [];
  let space = false;
  for (const character of prompt) {
    if (/\s/.test(character)) {
      space = characters.length > 0;
      continue;
    }
    if (space) characters.push(' ');
    space = false;
    characters.push(character);
    if (characters.length > quoteLength) break;
  }
  return characters;
}

/**
 * A reply of roughly 40 to 80 tokens that quotes the start of `prompt`, so a reader can see
 * which request it answers.
 */
export function generateReply(random: Random, prompt: string): string {
  const characters = quoteStart(prompt);
  const quote = characters.length > quoteLength ? `${characters.slice(0, quoteLength).join('')}…` : characters.join('');
  const target = random.int(40, 80);
  let text = `Pseudo-LLM reply to "${quote}":`;
  let tokens = tokenize(text).length;
  while (tokens < target) {
    const next = sentence(random);
    text += next;
    tokens += tokenize(next).length;
  }
  return text;
}
