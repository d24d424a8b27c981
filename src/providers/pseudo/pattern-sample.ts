import { code, PatternTooLongError, UnsupportedPatternError, type Alternation, type CharacterSet, type Term } from './pattern-parser.js';
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

/** Loop steps allowed per character of the limit: repeats of groups that write nothing still cost steps. */
const stepsPerCharacter = 4;

/**
 * A string the parsed pattern `tree` should match. Unbounded quantifiers (`*`, `+`, `{n,}`) and
 * wide ones repeat at most `extra` times beyond their minimum, so the caller can ask for longer
 * or shorter strings. Throws PatternTooLongError when it would write more than `maxLength`
 * characters (or take more than `stepsPerCharacter` times as many steps), so the work is
 * bounded by the limit whatever the pattern's repeats multiply to. `greedy` repeats each
 * quantifier exactly `extra` times beyond its minimum, for a caller searching for a length.
 */
export function samplePattern(tree: Alternation, random: Random, extra: number, maxLength: number, greedy = false): string {
  return writeAlternation(tree, { random, extra, written: 0, steps: 0, maxLength, greedy });
}

interface Writing {
  random: Random;
  extra: number;
  /** Characters written so far, against `maxLength`. */
  written: number;
  /** Repeats taken so far, against `maxLength * stepsPerCharacter`. */
  steps: number;
  maxLength: number;
  /** Repeat exactly `extra` times beyond each minimum (within the maximum), so length follows `extra`. */
  greedy: boolean;
}

function writeAlternation(alternation: Alternation, writing: Writing): string {
  return writing.random.pick(alternation.options).map((term) => writeTerm(term, writing)).join('');
}

function writeTerm({ atom, min, max }: Term, writing: Writing): string {
  const most = Math.min(max, min + writing.extra);
  const count = writing.greedy ? most : writing.random.int(min, most);
  let text = '';
  for (let index = 0; index < count; index++) {
    if (++writing.steps > writing.maxLength * stepsPerCharacter) throw new PatternTooLongError('its repeats');
    if (atom.kind === 'set') {
      text += writeCharacter(atom, writing.random);
      writing.written += 1;
    } else if (atom.kind === 'alternation') text += writeAlternation(atom, writing);
    if (writing.written > writing.maxLength) throw new PatternTooLongError('the string it needs');
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
