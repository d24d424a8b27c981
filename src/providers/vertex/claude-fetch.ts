/*
 * Claude on Vertex AI speaks the Messages API with three differences: the model is in the URL
 * (`…/publishers/anthropic/models/{model}:rawPredict`, or `:streamRawPredict` for a stream),
 * the version is in the body (`anthropic_version: "vertex-2023-10-16"`) instead of a header, and
 * the key is an OAuth bearer token. This fetch makes those changes to what the Anthropic adapter
 * sends to `{root}/v1/messages`, so that adapter's translation, stream reading and error mapping
 * serve Vertex unchanged.
 */

export const vertexAnthropicVersion = 'vertex-2023-10-16';

/**
 * @param publisherRoot `https://{host}/v1/projects/{project}/locations/{location}/publishers/anthropic`,
 *   the Anthropic adapter's baseURL.
 */
export function claudeOnVertexFetch(publisherRoot: string, inner: typeof globalThis.fetch): typeof globalThis.fetch {
  const messagesURL = `${publisherRoot}/v1/messages`;
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== messagesURL || typeof init?.body !== 'string') return inner(input, init);
    const { model, stream, ...rest } = JSON.parse(init.body) as { model: string; stream?: boolean; [field: string]: unknown };
    const body = JSON.stringify({ anthropic_version: vertexAnthropicVersion, ...rest, ...(stream === true ? { stream: true } : {}) });
    const headers = new Headers(init.headers);
    headers.delete('anthropic-version');
    headers.delete('x-api-key');
    const operation = stream === true ? 'streamRawPredict' : 'rawPredict';
    // The URL names the publisher already: `anthropic/claude-…` (Model Garden's spelling) is `claude-…` there.
    const modelId = model.replace(/^anthropic\//, '');
    return inner(`${publisherRoot}/models/${encodeURIComponent(modelId)}:${operation}`, { ...init, headers, body });
  };
}
