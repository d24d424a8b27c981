import type { ChatRequest } from '../../wire/chat-request.js';
import { flattenTopLevel, isRecord, resolved } from './input-schema.js';
import { unsupported } from './unsupported.js';
import type { AnthropicTool } from './wire.js';

/*
 * `response_format` JSON through a tool (openai-contract.md §4.1, route B): the Messages API of
 * every Claude model can be made to call a tool whose input schema is the wanted JSON schema.
 * The answer's tool call is then unwrapped into `message.content` (the JSON text) with
 * finish_reason `stop`, in non-streamed and streamed answers alike, so the caller sees what
 * OpenAI's JSON mode returns.
 */

/** The tool's name: visible to the model, so it says what it is for. */
export const jsonToolName = 'json_response';

const anyObject = { type: 'object', additionalProperties: true, properties: {} };

/** The JSON tool for a request's `response_format`, or undefined when it asks for text. */
export function jsonModeTool(
  providerId: string,
  format: ChatRequest['response_format'],
  tools: readonly AnthropicTool[],
  /** The API named in a refusal. */
  api = 'the Messages API',
): AnthropicTool | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (tools.some((tool) => tool.name === jsonToolName)) {
    throw unsupported(providerId, 'response_format', `JSON answers use a tool named ${jsonToolName}, and the request declares a tool of that name; rename it`);
  }
  if (format.type === 'json_object') {
    return { name: jsonToolName, description: 'Respond with a JSON object.', input_schema: anyObject };
  }
  const { schema, description } = format.json_schema as { schema?: Record<string, unknown>; description?: string };
  if (schema !== undefined && schema.type !== 'object' && !(schema.type === undefined && unionOfObjects(schema))) {
    throw unsupported(providerId, 'response_format.json_schema.schema', `${api} can return a JSON object only; wrap the value in an object schema`);
  }
  return {
    name: jsonToolName,
    description: description ?? 'Respond with a JSON object that matches the schema.',
    // The API refuses anyOf, oneOf and allOf at the top of a tool's input schema, as for tool parameters.
    input_schema: schema === undefined ? anyObject : flattenTopLevel(schema),
  };
}

/**
 * A schema without a type whose anyOf, oneOf or allOf variants are all objects (a zod union), or
 * references to objects in its own `$defs` (a pydantic one): its answer is an object.
 */
function unionOfObjects(schema: Record<string, unknown>): boolean {
  const variants = [schema.anyOf, schema.oneOf, schema.allOf].filter(Array.isArray).flat() as unknown[];
  return (
    variants.length > 0 &&
    variants.every((reference) => {
      if (!isRecord(reference)) return false;
      const variant = resolved(reference, schema);
      return variant.type === 'object' || (variant.type === undefined && isRecord(variant.properties));
    })
  );
}
