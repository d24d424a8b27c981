import { RouterError } from '../../errors.js';
import { nodeBuiltin } from '../../internal/node-builtin.js';
import type { AwsCredentials } from './sign.js';

/*
 * Where Bedrock's AWS credentials come from, in order:
 * 1. `credentials` given to `bedrock()`: an object, or a function (e.g. the AWS SDK's
 *    `fromNodeProviderChain()` for SSO, roles and instance profiles), asked before every call
 *    (such providers cache and refresh themselves);
 * 2. the environment: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, with `AWS_SESSION_TOKEN`;
 * 3. the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`),
 *    profile `AWS_PROFILE` (default `default`): static keys only, no SSO or role chaining.
 * Read at call time, so keys set after the router was built are used.
 */

/** What `bedrock({ credentials })` accepts. */
export type AwsCredentialSource = AwsCredentials | (() => AwsCredentials | Promise<AwsCredentials>);

const env = (name: string): string | undefined => {
  const value = typeof process === 'undefined' ? undefined : process.env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** Credentials from the environment variables, or undefined. */
export function credentialsFromEnvironment(): AwsCredentials | undefined {
  const accessKeyId = env('AWS_ACCESS_KEY_ID');
  const secretAccessKey = env('AWS_SECRET_ACCESS_KEY');
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = env('AWS_SESSION_TOKEN');
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

/** The shared credentials file's path, or undefined outside Node (and before Node 20.16). */
function credentialsFilePath(): string | undefined {
  const explicit = env('AWS_SHARED_CREDENTIALS_FILE');
  if (explicit !== undefined) return explicit;
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  const path = nodeBuiltin<typeof import('node:path')>('node:path');
  return os === undefined || path === undefined ? undefined : path.join(os.homedir(), '.aws', 'credentials');
}

/** Parses an INI credentials file: the profile's static keys, or undefined. */
export function parseCredentialsFile(text: string, profile: string): AwsCredentials | undefined {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header !== null) {
      current = {};
      sections.set(header[1]!, current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current !== undefined && equals > 0) current[line.slice(0, equals).trim().toLowerCase()] = line.slice(equals + 1).trim();
  }
  const section = sections.get(profile);
  const accessKeyId = section?.aws_access_key_id;
  const secretAccessKey = section?.aws_secret_access_key;
  if (accessKeyId === undefined || secretAccessKey === undefined || accessKeyId === '' || secretAccessKey === '') return undefined;
  const sessionToken = section?.aws_session_token;
  return sessionToken === undefined || sessionToken === '' ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

async function credentialsFromFile(): Promise<AwsCredentials | undefined> {
  const path = credentialsFilePath();
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  if (path === undefined || fs === undefined) return undefined;
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseCredentialsFile(text, env('AWS_PROFILE') ?? 'default');
}

/** Whether any source may have credentials, for planning: a given source, the variables, or a credentials file. */
export function mayHaveCredentials(source: AwsCredentialSource | undefined): boolean {
  return source !== undefined || credentialsFromEnvironment() !== undefined || credentialsFileExists();
}

/**
 * Whether the shared credentials file exists, checked synchronously through
 * `process.getBuiltinModule` (Node 20.16+); elsewhere no file is assumed.
 */
function credentialsFileExists(): boolean {
  try {
    const path = credentialsFilePath();
    const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
    return path !== undefined && fs !== undefined && fs.existsSync(path);
  } catch {
    return false;
  }
}

/**
 * The sentence `missingConfiguration()` answers with when no source has credentials. Where the
 * shared credentials file cannot be read (Node before 20.16, an edge runtime), it says so: there
 * `AWS_PROFILE` cannot help.
 */
export function missingCredentials(): string {
  const sentence = 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or pass credentials';
  return nodeBuiltin('node:fs') === undefined ? `${sentence} (the shared credentials file of AWS_PROFILE is read on Node 20.16 and later only)` : sentence;
}

/** The credentials to sign one call with. Throws a configuration error (not retryable) naming what to set. */
export async function resolveCredentials(providerId: string, source: AwsCredentialSource | undefined): Promise<AwsCredentials> {
  if (source !== undefined) {
    let credentials: AwsCredentials;
    try {
      credentials = typeof source === 'function' ? await source() : source;
    } catch (error) {
      // Its message and cause may quote keys: only the error's class is reported.
      throw new RouterError(`${providerId}: the credentials function failed (${error instanceof Error ? error.name : typeof error})`, { code: 'upstream_error', status: 500, providerId });
    }
    if (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string') {
      throw new RouterError(`${providerId}: credentials must have accessKeyId and secretAccessKey`, { code: 'upstream_error', status: 500, providerId });
    }
    return credentials;
  }
  const found = credentialsFromEnvironment() ?? (await credentialsFromFile());
  if (found === undefined) throw new RouterError(`${providerId}: ${missingCredentials()}`, { code: 'upstream_error', status: 500, providerId });
  return found;
}
