import { describe, expect, it } from 'vitest';
import { signRequest } from './sign.js';

// AWS's Signature Version 4 test suite (aws-sig-v4-test-suite): service `service`, region
// us-east-1, 2015-08-30T12:36:00Z, the documentation's example key pair.
const suite = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 'service',
  date: new Date('2015-08-30T12:36:00Z'),
};
const scope = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

describe('signRequest: the AWS SigV4 test suite', () => {
  it('get-vanilla', async () => {
    const signed = await signRequest({ ...suite, method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {}, body: '' });
    expect(signed.canonicalRequest).toBe(
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
    );
  });

  it('get-vanilla-query-order-key-case: query parameters are sorted', async () => {
    const signed = await signRequest({ ...suite, method: 'GET', url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'), headers: {}, body: '' });
    expect(signed.signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('post-vanilla', async () => {
    const signed = await signRequest({ ...suite, method: 'POST', url: new URL('https://example.amazonaws.com/'), headers: {}, body: '' });
    expect(signed.signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('post-x-www-form-urlencoded: a signed content-type and a body', async () => {
    const signed = await signRequest({
      ...suite,
      method: 'POST',
      url: new URL('https://example.amazonaws.com/'),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
    });
    expect(signed.stringToSign).toBe('AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281');
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a`,
    );
  });
});

describe('signRequest: Bedrock requests', () => {
  // Vectors computed with two independent signers (aws4fetch 1.0.20 and @smithy/signature-v4
  // 5.7.5) for a Converse call whose model id is percent-encoded in the path.
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const base = {
    method: 'POST',
    url: new URL('https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse'),
    headers: {},
    body: '{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}',
    region: 'eu-central-1',
    service: 'bedrock',
    date: new Date('2026-12-05T12:00:00Z'),
  };

  it('signs the encoded model id encoded once more, with a session token', async () => {
    const signed = await signRequest({ ...base, credentials: { ...credentials, sessionToken: 'SESSIONTOKEN' } });
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/model/eu.anthropic.claude-sonnet-4-5-20250929-v1%253A0/converse');
    expect(signed.headers['x-amz-security-token']).toBe('SESSIONTOKEN');
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/eu-central-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=20ab5f349921f78d8fab87a309f1814b5bbc91aa892caaf7e8e79a1f616aef33',
    );
  });

  it('signs without a session token', async () => {
    const signed = await signRequest({ ...base, credentials });
    expect(signed.signature).toBe('67c2a541fe8dc4102aba61cb178e030f40841a84ff1f17d80f31d1746194b451');
  });

  it('signs an application inference profile ARN', async () => {
    const url = new URL('https://bedrock-runtime.eu-central-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse');
    const signed = await signRequest({ ...base, url, credentials: { ...credentials, sessionToken: 'SESSIONTOKEN' } });
    expect(signed.signature).toBe('5d65e2a4bf6bce0b60a6a4990b9ce8616cef64e3fcb3fb5ed381d16515ff8f20');
  });
});
