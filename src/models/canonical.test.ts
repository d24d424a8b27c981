import { describe, expect, it } from 'vitest';
import { canonicalModelId, modelKeys } from './canonical.js';

describe('canonicalModelId', () => {
  it.each([
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
    ['eu.anthropic.claude-sonnet-4-6', 'claude-sonnet-4-6'],
    ['anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['claude-sonnet-4@20250514', 'claude-sonnet-4'],
    ['claude-haiku-4-5@20251001', 'claude-haiku-4-5'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-sonnet-4-6', 'claude-sonnet-4-6'],
    ['mistral.mistral-7b-instruct-v0:2', 'mistral.mistral-7b-instruct-v0:2'],
    ['gpt-4o-2024-11-20', 'gpt-4o-2024-11-20'],
  ])('%s → %s', (id, canonical) => {
    expect(canonicalModelId(id)).toBe(canonical);
  });

  it('makes a vendor id findable under the canonical id', () => {
    expect(modelKeys('eu.anthropic.claude-sonnet-4-20250514-v1:0')).toContain('claude-sonnet-4');
  });
});
