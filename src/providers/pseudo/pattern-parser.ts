/*
 * The parser behind pattern-sample.ts: reads the subset of regular expressions JSON schemas
 * use into a small tree of character sets, alternations and quantified terms. Any feature
 * outside the subset throws UnsupportedPatternError naming it.
 */

/** Code point ranges, inclusive; `negated` for `[^...]` and `.`. */
export interface CharacterSet {
  kind: 'set';
  ranges: Array<readonly [number, number]>;
  negated: boolean;
}
export interface Alternation {
  kind: 'alternation';
  options: Term[][];
}
/** `^` (start) or `$` (end): writes nothing, but says where a match may sit. */
export interface Anchor {
  kind: 'anchor';
  at: 'start' | 'end';
}
export type Atom = CharacterSet | Alternation | Anchor;
export interface Term {
  atom: Atom;
  min: number;
  max: number;
}

/** The pattern uses a feature the generator cannot honour; `message` says which. */
export class UnsupportedPatternError extends Error {
  override name = 'UnsupportedPatternError';
}

/** The pattern needs a longer string (or more steps to write one) than the generator's limit. */
export class PatternTooLongError extends UnsupportedPatternError {
  override name = 'PatternTooLongError';
}

export const code = (character: string): number => character.codePointAt(0) ?? 0;
const single = (character: string): CharacterSet => ({ kind: 'set', ranges: [[code(character), code(character)]], negated: false });
const digits = [code('0'), code('9')] as const;
const word = [digits, [code('a'), code('z')], [code('A'), code('Z')], [code('_'), code('_')]] as const;
/** What `\d`, `\w` and `\s` generate; `\s` writes a plain space. */
const classEscapes: Record<string, CharacterSet['ranges']> = { d: [digits], w: [...word], s: [[32, 32]] };
/** What `\D`, `\W` and `\S` exclude. */
const negatedClassEscapes: Record<string, CharacterSet['ranges']> = {
  D: [digits],
  W: [...word],
  S: [[9, 13], [32, 32], [160, 160], [0x2028, 0x2029], [0xfeff, 0xfeff]],
};
/** Escapes outside the subset, named so the error tells a test author what to change. */
const escapeNames: Record<string, string> = {
  b: 'a word boundary', B: 'a word boundary', k: 'a named backreference', p: 'a Unicode property', P: 'a Unicode property',
  ...Object.fromEntries(Array.from('123456789', (digit) => [digit, 'a backreference'])),
};
const controlEscapes: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };

/**
 * Parses `source` (a pattern valid with the `u` flag) into its alternation tree, in one pass.
 * A `{n}` minimum above `maxRepeat` throws PatternTooLongError before anything is written.
 */
export function parsePattern(source: string, maxRepeat: number): Alternation {
  const parser = new PatternParser(Array.from(source), maxRepeat);
  const root = parser.alternation();
  if (!parser.done()) throw new UnsupportedPatternError(`unexpected "${parser.peek() ?? ''}"`);
  return root;
}

/** Deepest nesting of groups the parser follows; it recurses once per group. */
const maxGroupDepth = 64;

/** A recursive-descent parser over code points (patterns are compiled with the `u` flag). */
class PatternParser {
  private position = 0;
  private depth = 0;
  constructor(
    private readonly characters: string[],
    private readonly maxRepeat: number,
  ) {}

  done(): boolean {
    return this.position >= this.characters.length;
  }
  peek(offset = 0): string | undefined {
    return this.characters[this.position + offset];
  }
  private next(): string {
    const character = this.peek();
    if (character === undefined) throw new UnsupportedPatternError('the pattern ends too early');
    this.position++;
    return character;
  }

  alternation(): Alternation {
    const options: Term[][] = [this.sequence()];
    while (this.peek() === '|') {
      this.position++;
      options.push(this.sequence());
    }
    return { kind: 'alternation', options };
  }

  private sequence(): Term[] {
    const terms: Term[] = [];
    while (!this.done() && this.peek() !== '|' && this.peek() !== ')') terms.push(this.quantified(this.atom()));
    return terms;
  }

  private atom(): Atom {
    const character = this.next();
    if (character === '^' || character === '$') return { kind: 'anchor', at: character === '^' ? 'start' : 'end' };
    if (character === '.') return { kind: 'set', ranges: [[10, 10], [13, 13], [0x2028, 0x2029]], negated: true };
    if (character === '[') return this.characterClass();
    if (character === '(') return this.group();
    if (character === '\\') return this.escape(false);
    return single(character);
  }

  private group(): Alternation {
    if (this.peek() === '?') {
      const marker = `${this.peek(1) ?? ''}${this.peek(2) ?? ''}`;
      if (marker.startsWith(':')) this.position += 2;
      else if (marker.startsWith('<') && marker !== '<=' && marker !== '<!') {
        while (this.next() !== '>');
      } else if (/^(=|!|<=|<!)/.test(marker)) {
        const kind = marker.startsWith('<') ? 'lookbehind' : 'lookahead';
        throw new UnsupportedPatternError(`a ${kind} "(?${marker.startsWith('<') ? marker : marker[0]}…)" is not supported`);
      } else throw new UnsupportedPatternError(`the group "(?${marker[0] ?? ''}" is not supported`);
    }
    if (++this.depth > maxGroupDepth) throw new UnsupportedPatternError(`groups nested more than ${maxGroupDepth} deep are not supported`);
    const inner = this.alternation();
    this.depth--;
    if (this.next() !== ')') throw new UnsupportedPatternError('a group is not closed');
    return inner;
  }

  private quantified(atom: Atom): Term {
    const bounds = this.quantifier();
    if (bounds === undefined) return { atom, min: 1, max: 1 };
    if (this.peek() === '?') this.position++; // lazy: matches the same strings
    return { atom, min: bounds[0], max: bounds[1] };
  }

  private quantifier(): [number, number] | undefined {
    const character = this.peek();
    if (character === '*' || character === '+' || character === '?') {
      this.position++;
      return character === '*' ? [0, Infinity] : character === '+' ? [1, Infinity] : [0, 1];
    }
    if (character !== '{') return undefined;
    const end = this.characters.indexOf('}', this.position);
    const bounds = /^\{(\d+)(,(\d*))?\}$/.exec(this.characters.slice(this.position, end + 1).join(''));
    if (end < 0 || !bounds) throw new UnsupportedPatternError('a "{" is not a quantifier');
    this.position = end + 1;
    const min = Number(bounds[1]);
    // A bound beyond any string worth writing would only block the process building it.
    const written = bounds[1] ?? '';
    if (min > this.maxRepeat) throw new PatternTooLongError(`a repeat of ${written.length > 20 ? `${written.slice(0, 20)}…` : written}`);
    return [min, bounds[2] === undefined ? min : bounds[3] ? Number(bounds[3]) : Infinity];
  }

  private characterClass(): CharacterSet {
    const negated = this.peek() === '^';
    if (negated) this.position++;
    const ranges: Array<readonly [number, number]> = [];
    while (this.peek() !== ']') {
      const first = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && first.ranges.length === 1) {
        this.position++;
        const last = this.classAtom();
        const [low] = first.ranges[0] ?? [0];
        const [, high] = last.ranges[0] ?? [0, 0];
        ranges.push([low, high]);
      } else ranges.push(...first.ranges);
    }
    this.position++;
    return { kind: 'set', ranges, negated };
  }

  private classAtom(): CharacterSet {
    const character = this.next();
    if (character !== '\\') return single(character);
    if (this.peek() === 'b') return (this.position++, single('\b'));
    return this.escape(true);
  }

  private escape(inClass: boolean): CharacterSet {
    const character = this.next();
    const positive = classEscapes[character];
    if (positive) return { kind: 'set', ranges: positive, negated: false };
    const negative = negatedClassEscapes[character];
    if (negative && inClass) throw new UnsupportedPatternError(`"\\${character}" inside a class is not supported`);
    if (negative) return { kind: 'set', ranges: negative, negated: true };
    const control = controlEscapes[character];
    if (control !== undefined && !/\d/.test(this.peek() ?? '')) return single(control);
    if (character === 'u' || character === 'x') return single(this.hexEscape(character));
    if (/\w/.test(character)) throw new UnsupportedPatternError(`${escapeNames[character] ?? 'the escape'} "\\${character}" is not supported`);
    return single(character);
  }

  /** `\xHH`, `\uHHHH` or `\u{H...}`. */
  private hexEscape(kind: string): string {
    const braced = kind === 'u' && this.peek() === '{';
    if (braced) this.position++;
    let hex = '';
    while (/[0-9a-fA-F]/.test(this.peek() ?? '') && (braced || hex.length < (kind === 'u' ? 4 : 2))) hex += this.next();
    if (braced && this.next() !== '}') throw new UnsupportedPatternError('a "\\u{" escape is not closed');
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }
}
