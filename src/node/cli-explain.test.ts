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

describe('explainTarget with a key the file does not list', () => {
  it('a key-shaped --key that is no key of the file is not printed back either', () => {
    const router = { providers: [], keys: { 'sk-team-qz81secretkey': { label: 'team-a' } } };
    let thrown: unknown;
    try {
      // A key of another deployment, typed where the label goes.
      explainTarget(router, 'sk-prod-qz81unlistedkey', 'Usage: sovroute explain');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toMatch(/--key takes a key's label/);
    expect((thrown as Error).message).toContain('team-a');
    expect((thrown as Error).message).not.toContain('qz81');
  });
});
