import { InvalidRequestError } from '../errors.js';
import { quote } from '../internal/quote.js';
import type { ChatRequest } from './chat-request.js';

/*
 * A tool choice the request gives no tool for: `tool_choice: 'required'` without tools, a named
 * function that tools does not declare, a legacy `function_call` naming one that `functions`
 * does not. OpenAI refuses these with a 400 naming the field; elsewhere an upstream may ignore
 * the choice and answer in text, or fail in its own way. Refused before routing, so every
 * deployment and a test key answer alike, and nothing is sent.
 */

/** Declared names a refusal lists before "and N more": enough to spot a typo, bounded whatever the tools. */
const listedNames = 10;

/** `a, b, c and 4 more`: the first names, each quoted as a refusal quotes a caller's string. */
function declaredNames(names: readonly string[]): string {
  const listed = names.slice(0, listedNames).map(quote).join(', ');
  return names.length > listedNames ? `${listed} and ${names.length - listedNames} more` : listed;
}

/**
 * The refusal's words for a choice `what` (`tool_choice`) naming the function `name` that the
 * list `field` (`tools`) does not declare; `declared` are the functions it does.
 */
export function undeclaredFunction(what: string, name: string, field: string, declared: readonly string[]): string {
  return declared.length === 0
    ? `${what} names the function '${quote(name)}', but ${field} declares no function; declare it there, or omit ${what}`
    : `${what} names the function '${quote(name)}', which ${field} does not declare (it declares ${declaredNames(declared)}); declare it there, or name one of those`;
}

/** Throws a 400 naming `tool_choice` (or `function_call`) when the request gives no tool for its choice. */
export function assertToolChoice(request: ChatRequest): void {
  const choice = request.tool_choice;
  if (choice !== undefined) {
    const tools = request.tools ?? [];
    if (choice === 'required' && tools.length === 0) {
      throw new InvalidRequestError("tool_choice 'required' asks for a tool call, but the request declares no tools; declare them in tools, or omit tool_choice", 'tool_choice');
    }
    if (typeof choice === 'object' && choice.type === 'function') {
      const names = tools.flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : []));
      const name = choice.function.name;
      if (!names.includes(name)) throw new InvalidRequestError(undeclaredFunction('tool_choice', name, 'tools', names), 'tool_choice');
    }
  }
  assertFunctionCall(request as { function_call?: unknown; functions?: unknown });
}

/** The legacy pair, passed through as sent: `function_call: { name }` must name one of `functions`. */
function assertFunctionCall(request: { function_call?: unknown; functions?: unknown }): void {
  const call = request.function_call;
  if (typeof call !== 'object' || call === null) return;
  const name = (call as { name?: unknown }).name;
  if (typeof name !== 'string') return;
  const functions = Array.isArray(request.functions) ? request.functions : [];
  const names = functions.flatMap((entry: unknown) => {
    const declared = (entry as { name?: unknown } | null)?.name;
    return typeof declared === 'string' ? [declared] : [];
  });
  if (!names.includes(name)) throw new InvalidRequestError(undeclaredFunction('function_call', name, 'functions', names), 'function_call');
}
