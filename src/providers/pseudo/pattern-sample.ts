import { code, parsePattern, UnsupportedPatternError, type Alternation, type CharacterSet, type Term } from './pattern-parser.js';
import type { Random } from './seeded-random.js';

/*
 * Strings for a JSON schema `pattern`: a small generator for the regular expressions schemas
 * actually use (anchors, literals, escapes, classes, groups, alternation, quantifiers). The
 * caller checks every result against the real RegExp, so this only has to be right where it
 * claims to be; anything it does not understand throws UnsupportedPatternError instead.
 */

/** Candidates for negated sets, readable ones first. */
const alphanumeric = Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const punctuation = Array.from(' -_.,:;!?@#%&*+=/()[]{}<>~^$|\'"`\\');

/** The longest string the generator builds; nested repeats could otherwise grow without bound. */
export const maxPatternLength = 100_000;

/**
 * A string the pattern `source` should match. Unbounded quantifiers (`*`, `+`, `{n,}`) and wide
 * ones repeat at most `extra` times beyond their minimum, so the caller can ask for longer or
 * shorter strings. Throws UnsupportedPatternError for features outside the subset, and for a
 * pattern that needs more than {@link maxPatternLength} characters.
 */
export function samplePattern(source: string, random: Random, extra = 3): string {
  return writeAlternation(parsePattern(source), { random, extra, written: 0 });
}

interface Writing {
  random: Random;
  extra: number;
  /** Characters written so far, against {@link maxPatternLength}. */
  written: number;
}

function writeAlternation(alternation: Alternation, writing: Writing): string {
  return writing.random.pick(alternation.options).map((term) => writeTerm(term, writing)).join('');
}

function writeTerm({ atom, min, max }: Term, writing: Writing): string {
  const count = writing.random.int(min, Math.min(max, min + writing.extra));
  let text = '';
  for (let index = 0; index < count; index++) {
    if (atom.kind === 'set') {
      text += writeCharacter(atom, writing.random);
      writing.written += 1;
    } else if (atom.kind === 'alternation') text += writeAlternation(atom, writing);
    if (writing.written > maxPatternLength) {
      throw new UnsupportedPatternError(`it needs a string longer than ${maxPatternLength} characters`);
    }
  }
  return text;
}

function writeCharacter(set: CharacterSet, random: Random): string {
  if (!set.negated) {
    if (set.ranges.length === 0) throw new UnsupportedPatternError('the empty class "[]" matches nothing');
    const [low, high] = random.pick(set.ranges);
    return String.fromCodePoint(random.int(low, high));
  }
  const allowed = (character: string): boolean => !set.ranges.some(([low, high]) => code(character) >= low && code(character) <= high);
  const readable = alphanumeric.filter(allowed);
  const candidates = readable.length > 0 ? readable : punctuation.filter(allowed);
  if (candidates.length === 0) throw new UnsupportedPatternError('a negated class excludes every printable ASCII character');
  return random.pick(candidates);
}
