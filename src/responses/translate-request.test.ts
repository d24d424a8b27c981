import { describe, expect, it } from 'vitest';
import { InvalidRequestError, RouterError } from '../errors.js';
import { validateRequest } from '../internal/validate.js';
import { responsesRefusal, toChatRequest } from './translate-request.js';
import { responseRequestSchema, type ResponseCreateParams, type ResponseItem } from './wire.js';

/* Responses request → chat request, field by field (the table in docs/responses.md). */

function translate(params: Partial<ResponseCreateParams>, history: ResponseItem[] = []) {
  const request = validateRequest(responseRequestSchema, { model: 'm', input: 'Hi', ...params });
  const input = typeof request.input === 'string' ? [{ type: 'message', role: 'user', content: request.input }] : ((request.input ?? []) as ResponseItem[]);
  return toChatRequest(request, history, input);
}

function refusal(params: Partial<ResponseCreateParams>): RouterError {
  try {
    translate(params);
  } catch (error) {
    if (RouterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

const weather = { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true };

describe('translating a Responses request to chat', () => {
  it('makes a string input one user message, and instructions a leading system message', () => {
    expect(translate({ instructions: 'Be brief.' })).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('translates message items with input_text, input_image and input_file parts', () => {
    const chat = translate({
      input: [
        { role: 'developer', content: 'Rules.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,BBBB', filename: 'a.pdf' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A cat.', annotations: [] }] },
      ] as ResponseCreateParams['input'],
    });
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Rules.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,BBBB', filename: 'a.pdf' } },
        ],
      },
      { role: 'assistant', content: 'A cat.' },
    ]);
  });

  it('merges consecutive function_call items into one assistant turn and makes outputs tool messages', () => {
    const chat = translate({
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18C' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '25' }, { type: 'input_text', text: 'C' }] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ] as ResponseCreateParams['input'],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      { role: 'tool', tool_call_id: 'call_2', content: '25C' },
    ]);
  });

  it('keeps the tool messages of parallel calls together, the images their outputs carried following them', () => {
    const image = (url: string) => ({ type: 'input_image', image_url: url });
    const chat = translate({
      input: [
        { role: 'user', content: 'Screenshots of both?' },
        { type: 'function_call', call_id: 'call_1', name: 'shot', arguments: '{}' },
        { type: 'function_call', call_id: 'call_2', name: 'shot', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'one' }, image('data:image/png;base64,AAAA')] },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'two' }, image('data:image/png;base64,BBBB')] },
        { role: 'user', content: 'Compare them.' },
      ] as ResponseCreateParams['input'],
    });
    expect(chat.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_1', content: 'one' },
      { role: 'tool', tool_call_id: 'call_2', content: 'two' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,BBBB' } },
        ],
      },
      { role: 'user', content: 'Compare them.' },
    ]);
  });

  it('puts a function_call after assistant text on that same assistant message', () => {
    const chat = translate({
      input: [
        { role: 'user', content: 'Go.' },
        { role: 'assistant', content: 'Looking it up.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
      ] as ResponseCreateParams['input'],
    });
    expect(chat.messages[1]).toEqual({
      role: 'assistant',
      content: 'Looking it up.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
    });
  });

  it('puts the stored history before this request’s input, without carrying instructions over', () => {
    const history = [
      { type: 'message', role: 'user', content: 'First.' },
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'One.', annotations: [] }] },
    ];
    expect(translate({ input: 'Second.' }, history).messages).toEqual([
      { role: 'user', content: 'First.' },
      { role: 'assistant', content: 'One.' },
      { role: 'user', content: 'Second.' },
    ]);
  });

  it('translates function tools and every tool_choice form', () => {
    const chat = translate({ tools: [weather], tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false });
    expect(chat.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: weather.parameters, strict: true } },
    ]);
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(chat.parallel_tool_calls).toBe(false);
    expect(translate({ tools: [weather], tool_choice: 'required' }).tool_choice).toBe('required');
    // strict: null (LangChain) is dropped rather than sent.
    expect((translate({ tools: [{ ...weather, strict: null }] }).tools![0] as { function: object }).function).not.toHaveProperty('strict');
    const allowed = translate({
      tools: [weather, { ...weather, name: 'other' }],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'other' }] },
    });
    expect(allowed.tools!.map((tool) => (tool as { function: { name: string } }).function.name)).toEqual(['other']);
    expect(allowed.tool_choice).toBe('required');
    // The chat form of an allowed tool, which LangChain sends as it is, names the same tool.
    const chatForm = translate({ tools: [weather, { ...weather, name: 'other' }], tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', function: { name: 'other' } }] } } as Partial<ResponseCreateParams>);
    expect(chatForm.tools!.map((tool) => (tool as { function: { name: string } }).function.name)).toEqual(['other']);
  });

  it('translates text.format to response_format', () => {
    expect(translate({ text: {} })).not.toHaveProperty('response_format');
    expect(translate({ text: { format: { type: 'text' } } })).not.toHaveProperty('response_format');
    expect(translate({ text: { format: { type: 'json_object' } } }).response_format).toEqual({ type: 'json_object' });
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    expect(translate({ text: { format: { type: 'json_schema', name: 'person', schema, strict: true, description: 'A person' } } }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'person', schema, strict: true, description: 'A person' },
    });
  });

  it('maps the sampling and limit fields, and stream with usage', () => {
    const chat = translate({ max_output_tokens: 64, temperature: 0.2, top_p: 0.9, stream: true, reasoning: { effort: 'low' } });
    expect(chat).toMatchObject({ max_tokens: 64, temperature: 0.2, top_p: 0.9, stream: true, stream_options: { include_usage: true }, reasoning_effort: 'low' });
  });

  it('keeps Responses-only fields away from the chat request', () => {
    const chat = translate({
      store: true,
      metadata: { team: 'a' },
      include: ['reasoning.encrypted_content'],
      truncation: 'disabled',
      previous_response_id: null,
      stream_options: { include_obfuscation: false },
      text: { format: { type: 'text' } },
      instructions: null,
    });
    expect(chat).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('passes the router extensions and chat-only extras through', () => {
    const chat = translate({ route: { objective: 'cheapest' }, simulate: { fault: 'rate_limit' }, seed: 7, user: 'u1' } as Partial<ResponseCreateParams>);
    expect(chat).toMatchObject({ route: { objective: 'cheapest' }, simulate: { fault: 'rate_limit' }, seed: 7, user: 'u1' });
  });

  it.each([
    [{ tools: [{ type: 'web_search_preview' }] }, 'tools[0].type'],
    [{ tools: [weather, { type: 'file_search', vector_store_ids: ['v'] }] }, 'tools[1].type'],
    [{ tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] }, 'tools[0].type'],
    [{ tool_choice: { type: 'web_search_preview' } }, 'tool_choice'],
    [{ background: true }, 'background'],
    [{ conversation: 'conv_1' }, 'conversation'],
    [{ prompt: { id: 'pmpt_1' } }, 'prompt'],
    [{ truncation: 'auto' }, 'truncation'],
    [{ max_tool_calls: 2 }, 'max_tool_calls'],
    [{ top_logprobs: 3 }, 'top_logprobs'],
    [{ include: ['message.output_text.logprobs'] }, 'include[0]'],
    [{ reasoning: { effort: 'high', summary: 'auto' } }, 'reasoning.summary'],
    [{ reasoning: { effort: 'high', generate_summary: 'auto' } }, 'reasoning.generate_summary'],
    [{ text: { format: { type: 'grammar' } } }, 'text.format.type'],
    [{ input: [{ type: 'web_search_call', id: 'ws_1', status: 'completed' }] }, 'input[0].type'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }, 'input[0].content[0].image_url'],
    [{ input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x.test/a.pdf' }] }] }, 'input[0].content[0].file_url'],
    [{ input: [] }, 'input'],
    [{ tools: [{ type: 'function', parameters: { type: 'object' } }] }, 'tools[0].name'],
    [{ input: [{ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] }, 'input[0].arguments'],
    [{ tools: [weather], tool_choice: { type: 'function' } }, 'tool_choice.name'],
    [{ tools: [weather], tool_choice: { type: 'function', name: 'get_time' } }, 'tool_choice.name'],
    [{ tools: [weather], tool_choice: { type: 'allowed_tools', mode: 'sometimes', tools: [{ type: 'function', name: 'get_weather' }] } }, 'tool_choice.mode'],
    [{ tools: [weather], tool_choice: { type: 'allowed_tools', mode: 'required' } }, 'tool_choice.tools'],
    [{ tools: [weather], tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_time' }] } }, 'tool_choice.tools[0].name'],
    [{ tools: [weather], tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'get_weather' }, { type: 'web_search' }] } }, 'tool_choice.tools[1].type'],
  ] as [Partial<ResponseCreateParams>, string][])('refuses what it cannot honour with a 400 naming %j', (params, param) => {
    const error = refusal(params);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

describe('validating a Responses request', () => {
  it('refuses metadata beyond 16 pairs or with over-long values, naming it', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    expect(() => validateRequest(responseRequestSchema, { model: 'm', input: 'Hi', metadata: many })).toThrow(expect.objectContaining({ param: 'metadata' }));
    expect(() => validateRequest(responseRequestSchema, { model: 'm', input: 'Hi', metadata: { k: 'v'.repeat(513) } })).toThrow(
      expect.objectContaining({ param: 'metadata.k' }),
    );
  });

  it('requires a model', () => {
    expect(() => validateRequest(responseRequestSchema, { input: 'Hi' })).toThrow(expect.objectContaining({ param: 'model', status: 400 }));
  });
});

describe('naming a refusal of the translated request as the Responses request does', () => {
  function renamed(params: Partial<ResponseCreateParams>, history: ResponseItem[], param: string): string | null {
    const request = validateRequest(responseRequestSchema, { model: 'm', input: 'Hi', ...params });
    const input = typeof request.input === 'string' ? [{ type: 'message', role: 'user', content: request.input }] : ((request.input ?? []) as ResponseItem[]);
    const origins: string[] = [];
    const chat = toChatRequest(request, history, input, origins);
    return responsesRefusal(new InvalidRequestError(`Invalid ${param}: no`, param), request, chat, origins).param;
  }

  it('names the item a message came from, the tool by its own index, and the renamed fields', () => {
    const stored: ResponseItem[] = [{ type: 'message', role: 'user', content: 'Before' }];
    expect(renamed({ instructions: 'Be brief.' }, stored, 'messages[0].content')).toBe('instructions');
    expect(renamed({ instructions: 'Be brief.' }, stored, 'messages[1].content')).toBe('previous_response_id');
    expect(renamed({ instructions: 'Be brief.' }, stored, 'messages[2].content[0]')).toBe('input');
    const allowed = { tools: [weather, { ...weather, name: 'other' }], tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'other' }] } };
    expect(renamed(allowed as Partial<ResponseCreateParams>, [], 'tools[0].function.name')).toBe('tools[1].name');
    expect(renamed({}, [], 'max_tokens')).toBe('max_output_tokens');
    expect(renamed({}, [], 'reasoning_effort')).toBe('reasoning.effort');
    expect(renamed({}, [], 'response_format.json_schema.name')).toBe('text.format.name');
    expect(renamed({}, [], 'seed')).toBe('seed');
  });
});
