import { describe, expect, it } from 'vitest';
import { errorFromOkBody, errorFromStreamEvent, exceedsDeploymentLimit } from './upstream-error.js';

describe('an error envelope saying 413', () => {
  // Some servers answer 200, or send a stream event, with the error their HTTP status would carry.
  it.each([
    ['answered 200', () => errorFromOkBody('p', { error: { message: 'Request Entity Too Large', code: 413 } }, undefined)],
    ['sent mid-stream', () => errorFromStreamEvent('p', { error: { message: 'Request Entity Too Large', status: 413 } })],
  ])('%s is the deployment’s size limit, which another deployment may take', (_how, make) => {
    const error = make();
    expect(error).toMatchObject({ code: 'invalid_request', upstreamStatus: 413 });
    expect(exceedsDeploymentLimit(error)).toBe(true);
  });
});
