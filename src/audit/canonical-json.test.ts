import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units, as RFC 8785 (JCS) does (its sorting example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // JSON.parse re-orders the integer-like key; read the order from the text instead.
    const order = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => JSON.parse(`"${match[1]}"`) as string);
    expect(order).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(keys).toHaveLength(7);
  });

  it('is JSON.stringify for everything else, at any depth, dropping undefined', () => {
    const value = { b: [1, undefined, { d: 'x"\n', c: -0 }], a: null, u: undefined, n: 1e21, f: 0.1 + 0.2 };
    expect(canonicalJson(value)).toBe('{"a":null,"b":[1,null,{"c":0,"d":"x\\"\\n"}],"f":0.30000000000000004,"n":1e+21}');
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(undefined)).toBe('null');
  });
});
