import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCredentialsFile, resolveCredentials } from './credentials.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const file = `
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secret-default

[profile eu-team]
aws_access_key_id=AKIDEU
aws_secret_access_key=secret-eu
aws_session_token=token-eu
`;

describe('AWS credentials', () => {
  it('reads a profile of the shared credentials file, with its session token', () => {
    expect(parseCredentialsFile(file, 'default')).toEqual({ accessKeyId: 'AKIDDEFAULT', secretAccessKey: 'secret-default' });
    expect(parseCredentialsFile(file, 'eu-team')).toEqual({ accessKeyId: 'AKIDEU', secretAccessKey: 'secret-eu', sessionToken: 'token-eu' });
    expect(parseCredentialsFile(file, 'missing')).toBeUndefined();
  });

  it('prefers the environment variables, with the session token', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-env');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token-env');
    await expect(resolveCredentials('bedrock-test', undefined)).resolves.toEqual({ accessKeyId: 'AKIDENV', secretAccessKey: 'secret-env', sessionToken: 'token-env' });
  });

  it('fails with a configuration error naming what to set when nothing is found', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    await expect(resolveCredentials('bedrock-test', undefined)).rejects.toMatchObject({ code: 'upstream_error', isRetryable: false, message: expect.stringMatching(/AWS_ACCESS_KEY_ID/) });
  });

  it('never reports what a failing credentials function said', async () => {
    const error = await resolveCredentials('bedrock-test', () => {
      throw new Error('could not refresh secret wJalrXUtnFEMI');
    }).then(() => new Error("resolved"), (caught: unknown) => caught as Error);
    expect(error.message).not.toContain('wJalrXUtnFEMI');
  });
});
