import { estimatePromptTokens } from '../../pricing/tokens.js';
import type { ChatMessage, ChatRequest } from '../../wire/chat-request.js';
import type { FinishReason, TokenUsage, ToolCall } from '../../wire/chat-response.js';
import { sampleJsonSchema } from './json-schema-sample.js';
import { canonicalJson, hashText, seededRandom, type Random } from './seeded-random.js';
import { quoted } from './json-schema-error.js';
import { SimulationBudget, type ResolvedSimulationLimits } from './simulation-budget.js';
import { limitPieces } from './stop-and-length.js';
import { generateReply, tokenize } from './text-generator.js';
import { chooseTool } from './tool-choice.js';

/*
 * What the pseudo-LLM answers, computed once and then shaped as a completion or as stream
 * chunks, so both carry the same text. The seed covers what decides the answer (model, messages,
 * tools, response_format, seed) but not `stop` or the token limits: those only cut the same
 * text short, which keeps a limited answer a prefix of the unlimited one.
 */

/** One choice, as token pieces: content pieces, or the tool call's argument pieces. */
export interface AnswerChoice {
  index: number;
  pieces: string[];
  toolCall: ToolCall | undefined;
  finishReason: FinishReason;
}

export interface Answer {
  id: string;
  /** Fixed, so that answers stay byte-identical across runs. @unit seconds since the epoch */
  created: number;
  choices: AnswerChoice[];
  usage: TokenUsage;
}

const created = 1_700_000_000;

/** The text of the last user message (else the last message): what the reply quotes. */
function promptText(messages: readonly ChatMessage[]): string {
  const message = messages.findLast((entry) => entry.role === 'user') ?? messages.at(-1);
  const content = message?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join(' ');
}

/** A JSON answer: a sample of the requested schema, or an object holding the prose reply. */
function jsonAnswer(request: ChatRequest, prompt: string, random: Random, budget: SimulationBudget): string {
  const format = request.response_format;
  if (format?.type === 'json_schema' && format.json_schema.schema !== undefined) {
    const source = { label: `response_format.json_schema ${quoted(format.json_schema.name)}`, param: 'response_format' };
    return JSON.stringify(sampleJsonSchema(format.json_schema.schema, random, source, budget));
  }
  const answer = JSON.stringify({ answer: generateReply(random, prompt) });
  budget.spend(answer.length, 'the JSON answer', 'response_format');
  return answer;
}

function answerChoice(request: ChatRequest, key: string, index: number, prompt: string, budget: SimulationBudget): AnswerChoice {
  const random = seededRandom(hashText(key, index));
  const tool = chooseTool(request, prompt, random);
  if (tool) {
    const { name, parameters } = tool.function;
    const source = { label: `the parameters of tool "${name}"`, param: 'tools' };
    const callArguments = parameters && Object.keys(parameters).length > 0 ? JSON.stringify(sampleJsonSchema(parameters, random, source, budget)) : '{}';
    const id = `call_${hashText(`${key}:call`, index).toString(36)}`;
    const toolCall: ToolCall = { id, type: 'function', function: { name, arguments: callArguments } };
    return { index, pieces: tokenize(callArguments), toolCall, finishReason: 'tool_calls' };
  }
  const format = request.response_format?.type;
  if (format === 'json_object' || format === 'json_schema') {
    // Never cut by `stop` or the token limit: an app testing structured output needs parseable JSON.
    return { index, pieces: tokenize(jsonAnswer(request, prompt, random, budget)), toolCall: undefined, finishReason: 'stop' };
  }
  const reply = generateReply(random, prompt);
  budget.spend(reply.length, 'a text reply', 'n');
  return { index, toolCall: undefined, ...limitPieces(tokenize(reply), request) };
}

/**
 * Computes the deterministic answer to `request`, all its choices within `limits`
 * (`limits.simulation` of the router; the defaults when omitted).
 */
export function answerChat(request: ChatRequest, limits?: ResolvedSimulationLimits): Answer {
  const { model, messages, tools, response_format, seed } = request;
  const key = canonicalJson({ model, messages, tools, response_format, seed });
  const prompt = promptText(messages);
  const budget = new SimulationBudget(limits);
  const choices = Array.from({ length: request.n ?? 1 }, (_, index) => answerChoice(request, key, index, prompt, budget));
  const prompt_tokens = estimatePromptTokens(messages, tools);
  const completion_tokens = choices.reduce((sum, choice) => sum + choice.pieces.length, 0);
  return {
    id: `chatcmpl-pseudo-${hashText(key).toString(36)}`,
    created,
    choices,
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  };
}
