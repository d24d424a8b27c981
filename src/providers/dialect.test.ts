import { describe, expect, test } from 'vitest';
import { alphanumeric9, dialectRewriter } from './dialect.js';

describe('alphanumeric9', () => {
  test('keeps an id of nine letters and digits, and derives one from any other id, the same every time', () => {
    expect(alphanumeric9('aB3dE6gH9')).toBe('aB3dE6gH9');
    for (const id of ['call_PTLP8xhu3uwZk4l3nlnrrJha', 'toolu_01A09q90qw90lq917835lq9', 'turn1_0', '', 'aB3dE6gH9x', 'überweisung-1']) {
      expect(alphanumeric9(id)).toMatch(/^[A-Za-z0-9]{9}$/);
      expect(alphanumeric9(id)).toBe(alphanumeric9(id));
    }
  });

  test('gives 20,000 ids of one shape 20,000 different ids', () => {
    const derived = new Set<string>();
    for (let index = 0; index < 20_000; index++) derived.add(alphanumeric9(`call_${index.toString(36).padStart(8, '0')}`));
    expect(derived.size).toBe(20_000);
  });
});

describe('dialectRewriter, renames', () => {
  test('sends a field under the name given, and a field renamed to its own name as it was', () => {
    const body: Record<string, unknown> = { model: 'm', seed: 3, user: 'u-1' };
    dialectRewriter({ renames: { seed: 'random_seed', user: 'user' } })(body);
    expect(body).toEqual({ model: 'm', random_seed: 3, user: 'u-1' });
  });
});

describe('dialectRewriter, toolCallIds alphanumeric-9', () => {
  const history = [
    { role: 'user', content: 'Weather in Paris and Lyon?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_PTLP8xhu3uwZk4l3nlnrrJha', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        { id: 'aB3dE6gH9', type: 'function', function: { name: 'weather', arguments: '{"city":"Lyon"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_PTLP8xhu3uwZk4l3nlnrrJha', content: '18 °C' },
    { role: 'tool', tool_call_id: 'aB3dE6gH9', content: '21 °C' },
  ];

  test("rewrites a call's id and the tool's answer to it alike, keeps valid ids, and leaves the caller's messages as they were", () => {
    const before = structuredClone(history);
    const body: Record<string, unknown> = { model: 'm', messages: history };
    dialectRewriter({ toolCallIds: 'alphanumeric-9' })(body);
    const sent = body.messages as typeof history;
    const id = alphanumeric9('call_PTLP8xhu3uwZk4l3nlnrrJha');
    expect(sent[1]!.tool_calls!.map((call) => call.id)).toEqual([id, 'aB3dE6gH9']);
    expect(sent.slice(2).map((message) => message.tool_call_id)).toEqual([id, 'aB3dE6gH9']);
    expect(sent[0]).toBe(history[0]);
    expect(sent[3]).toBe(history[3]);
    expect(history).toEqual(before);
  });

  test('sends the same array when no id needs rewriting', () => {
    const plain = [{ role: 'user', content: 'Hi' }];
    const body: Record<string, unknown> = { model: 'm', messages: plain };
    dialectRewriter({ toolCallIds: 'alphanumeric-9' })(body);
    expect(body.messages).toBe(plain);
  });
});
