import { describe, expect, it } from 'vitest';
import { errorFromBedrock, errorFromStreamException, errorName } from './http-error.js';

const headers = (type: string) => new Headers({ 'x-amzn-errortype': type, 'x-amzn-requestid': 'req-9' });

describe('Bedrock errors', () => {
  it('reads the error name through its suffixes and prefixes', () => {
    expect(errorName('ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/')).toBe('ValidationException');
    expect(errorName('com.amazon.coral#ThrottlingException')).toBe('ThrottlingException');
  });

  it.each([
    ['ThrottlingException', 429, 'rate_limited', true],
    ['ModelNotReadyException', 429, 'rate_limited', true],
    ['ServiceUnavailableException', 503, 'upstream_error', true],
    ['InternalServerException', 500, 'upstream_error', true],
    ['ModelTimeoutException', 408, 'timeout', true],
    ['ServiceQuotaExceededException', 400, 'upstream_error', false],
    ['AccessDeniedException', 403, 'upstream_error', false],
    ['ResourceNotFoundException', 404, 'upstream_error', false],
  ])('%s (%i) is %s, retryable %s', (name, status, code, isRetryable) => {
    const error = errorFromBedrock('bedrock-test', status, JSON.stringify({ message: 'details' }), headers(name));
    expect(error).toMatchObject({ code, isRetryable, providerId: 'bedrock-test', upstreamStatus: status, requestID: 'req-9' });
    expect(error.message).toContain(name);
  });

  it('passes on Retry-After with a named exception, as for any other upstream', () => {
    const throttled = new Headers({ 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '7' });
    expect(errorFromBedrock('bedrock-test', 429, '{"message":"Too many requests"}', throttled).headers).toEqual({ 'retry-after': '7' });
    const unavailable = new Headers({ 'x-amzn-errortype': 'ServiceUnavailableException', 'retry-after': '30' });
    expect(errorFromBedrock('bedrock-test', 503, '{"message":"try later"}', unavailable).headers).toEqual({ 'retry-after': '30' });
  });

  it("quotes the message of a body that spells it Message, as some of AWS's services do", () => {
    const body = '{"Message":"User: arn:aws:iam::123456789012:user/app is not authorized to perform: bedrock:InvokeModel"}';
    const error = errorFromBedrock('bedrock-test', 403, body, headers('AccessDeniedException'));
    expect(error.message).toBe(
      'bedrock-test returned 403 AccessDeniedException: User: arn:aws:iam::123456789012:user/app is not authorized to perform: bedrock:InvokeModel (check the IAM permissions (bedrock:InvokeModel*) and that the model is enabled in this region)',
    );
  });

  it('blames the request for a ValidationException', () => {
    const error = errorFromBedrock('bedrock-test', 400, '{"message":"messages.0.content is empty"}', headers('ValidationException'));
    expect(error).toMatchObject({ code: 'invalid_request', isRetryable: false });
  });

  it('blames the deployment when a model needs an inference profile, so routing falls back', () => {
    const error = errorFromBedrock(
      'bedrock-test',
      400,
      '{"message":"Invocation of model ID anthropic.claude-opus-4-5-20251101-v1:0 with on-demand throughput isn\'t supported. Retry your request with the ID or ARN of an inference profile that contains this model."}',
      headers('ValidationException'),
    );
    expect(error).toMatchObject({ code: 'upstream_error', isRetryable: false });
    expect(error.message).toMatch(/inference profile/);
  });

  it('maps exception frames inside a stream', () => {
    expect(errorFromStreamException('bedrock-test', 'throttlingException', '{"message":"Too many requests"}', 'req-1')).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(errorFromStreamException('bedrock-test', 'modelStreamErrorException', '{"message":"boom"}', undefined)).toMatchObject({ code: 'upstream_error', isRetryable: true });
  });
});
