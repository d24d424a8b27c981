import { errorFromStatus, readErrorBody } from '../upstream-error.js';

/*
 * Vertex AI refuses a call with 401 or 403 for reasons of Google Cloud, not of a key (vertex()
 * takes none): the token, its principal's role on the project, the API not enabled, a partner
 * model not enabled in Model Garden. This fetch turns such an answer into the error that says
 * what to check there. Both adapters behind it (the OpenAI-compatible one for Gemini, the
 * Anthropic one for Claude) pass on a RouterError their fetch throws as it is.
 */

/**
 * @param inner the fetch that sends the request with its token (and replaces a refused token once).
 * @param project the Google Cloud project the deployment calls.
 */
export function withAccessAdvice(providerId: string, project: string, inner: typeof globalThis.fetch): typeof globalThis.fetch {
  const refusedToken = "the access token was refused: check vertex()'s accessToken, or the application default credentials";
  const deniedAccess =
    `check that the access token's principal has the Vertex AI User role (aiplatform.endpoints.predict) on project ${project}, ` +
    'that the Vertex AI API is enabled there, and for a partner model such as Claude that it is enabled in Model Garden';
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 401 && response.status !== 403) return response;
    // Tokens are scrubbed from the message by the Vertex provider, which holds them.
    throw errorFromStatus(providerId, response.status, await readErrorBody(response), response.headers, undefined, response.status === 401 ? refusedToken : deniedAccess);
  };
}
