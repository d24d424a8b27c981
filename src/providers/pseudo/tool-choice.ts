import { InvalidRequestError } from '../../errors.js';
import type { ChatRequest, ChatTool } from '../../wire/chat-request.js';
import { quoted } from './json-schema-error.js';
import type { Random } from './seeded-random.js';

/*
 * Whether the pseudo-LLM answers with a tool call, and with which tool. Under `auto` it calls a
 * tool only right after a user message, so an agent loop that feeds tool results back ends with
 * a text answer instead of calling tools forever.
 */

export type FunctionTool = Extract<ChatTool, { type: 'function' }>;

/**
 * The function tool to call, or `undefined` for a text answer. Custom tools are never called.
 * Throws when `tool_choice` names a function that `tools` does not declare, as OpenAI does.
 */
export function chooseTool(request: ChatRequest, prompt: string, random: Random): FunctionTool | undefined {
  const tools = (request.tools ?? []).filter((tool): tool is FunctionTool => tool.type === 'function');
  const choice = request.tool_choice;
  if (typeof choice === 'object' && choice.type === 'function') {
    const named = tools.find((tool) => tool.function.name === choice.function.name);
    if (named) return named;
    throw new InvalidRequestError(
      `tool_choice names the function ${quoted(choice.function.name)}, which is not among the request's tools.`,
      'tool_choice',
    );
  }
  if (tools.length === 0 || choice === 'none') return undefined;
  if (choice !== 'required' && request.messages.at(-1)?.role !== 'user') return undefined;
  const words = promptWords(prompt);
  const mentioned = tools.find((tool) => words.has(tool.function.name));
  return mentioned ?? random.pick(tools);
}

/**
 * The prompt's runs of name characters (`[A-Za-z0-9_-]`, all a tool name may hold): a tool is
 * mentioned when its name is one of them. One pass over the prompt, whatever the number of tools.
 */
function promptWords(prompt: string): Set<string> {
  return new Set(prompt.split(/[^A-Za-z0-9_-]+/));
}
