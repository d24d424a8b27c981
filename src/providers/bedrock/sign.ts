/*
 * AWS Signature Version 4 (header signing), over Web Crypto so it runs on Node 20 and edge
 * runtimes alike, with no dependency. Checked against AWS's published test suite
 * (sign.test.ts) and against Bedrock requests with encoded model ids.
 *
 * Signed headers: `host`, `x-amz-date`, `x-amz-security-token` (temporary credentials), and any
 * header the caller passes in `headers` (e.g. `content-type`). For every service but S3 the
 * canonical path is the wire path with each segment encoded once more: a model id sent as
 * `eu.anthropic.claude-sonnet-4-6-v1%3A0` is signed as `…v1%253A0`.
 */

/** AWS credentials. The secret and the token never leave this module except in the signature. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The session token of temporary credentials (STS, SSO, an assumed role). */
  sessionToken?: string | undefined;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to sign and send, besides the ones this adds; names are lower-cased. */
  headers: Record<string, string>;
  /** The exact body bytes sent (a string is UTF-8 encoded). */
  body: string | Uint8Array;
  credentials: AwsCredentials;
  region: string;
  /** The signing name, e.g. `bedrock` (not the host's `bedrock-runtime`). */
  service: string;
  /** The signing time. @default now */
  date?: Date | undefined;
}

/** What a signed request sends: the caller's headers plus `x-amz-date`, the token and `authorization`. */
export interface SignedRequest {
  headers: Record<string, string>;
  /** Exposed for tests and debugging. */
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

const encoder = new TextEncoder();

type Subtle = typeof globalThis.crypto.subtle;

function subtle(): Subtle {
  const crypto = globalThis.crypto?.subtle;
  if (crypto === undefined) throw new Error('SigV4 signing needs Web Crypto (globalThis.crypto.subtle), which this runtime lacks');
  return crypto;
}

const toBytes = (value: string | Uint8Array): Uint8Array => (typeof value === 'string' ? encoder.encode(value) : value);

function hex(buffer: ArrayBuffer): string {
  let result = '';
  for (const byte of new Uint8Array(buffer)) result += byte.toString(16).padStart(2, '0');
  return result;
}

export async function sha256Hex(value: string | Uint8Array): Promise<string> {
  return hex(await subtle().digest('SHA-256', toBytes(value)));
}

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const imported = await subtle().importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return subtle().sign('HMAC', imported, encoder.encode(data));
}

/** RFC 3986 encoding, as SigV4 wants it: `encodeURIComponent` leaves `!'()*` alone. */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(pathname: string): string {
  // Each segment of the (already encoded) wire path is encoded again; slashes stay.
  return pathname.split('/').map((segment) => encodeRfc3986(segment)).join('/') || '/';
}

function canonicalQuery(search: URLSearchParams): string {
  const pairs = [...search].map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const);
  pairs.sort(([nameA, valueA], [nameB, valueB]) => (nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** `20150830T123600Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** Signs a request with SigV4 and returns the headers to send. */
export async function signRequest(input: SignInput): Promise<SignedRequest> {
  const datetime = amzDate(input.date ?? new Date());
  const day = datetime.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = value;
  headers.host = input.url.host;
  headers['x-amz-date'] = datetime;
  if (input.credentials.sessionToken !== undefined && input.credentials.sessionToken !== '') headers['x-amz-security-token'] = input.credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.url.pathname),
    canonicalQuery(input.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    await sha256Hex(input.body),
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', datetime, scope, await sha256Hex(canonicalRequest)].join('\n');

  let key = await hmac(encoder.encode(`AWS4${input.credentials.secretAccessKey}`), day);
  for (const part of [input.region, input.service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));

  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}
