import { describe, expect, it } from 'vitest';
import { explainTarget } from './cli-explain.js';
import { UsageError } from './cli-usage.js';

describe('explainTarget', () => {
  it('a key given to --key in place of its label is refused without printing it, naming the label to give', () => {
    const router = { providers: [], keys: { 'sk-team-qz81secretkey': { label: 'team-a' }, 'sk-team-qz81otherkey': {} } };
    for (const given of ['sk-team-qz81secretkey', 'sk-team-qz81otherkey']) {
      let thrown: unknown;
      try {
        explainTarget(router, given, 'Usage: sovroute explain');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toMatch(/^--key takes a key's label, not the key itself/);
      expect((thrown as Error).message).not.toContain('qz81');
    }
  });
});
