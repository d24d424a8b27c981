import { describe, expect, it } from 'vitest';
import { RouterError } from '../../errors.js';
import { chatRequestSchema, type ChatCompletionCreateParams } from '../../wire/chat-request.js';
import { translateRequest } from './translate-request.js';

/* OpenAI chat requests → Anthropic Messages requests (openai-contract.md §4.1, §4.2, §5.1). */

const translate = (params: ChatCompletionCreateParams, defaultMaxTokens = 4096) => translateRequest('anthropic', chatRequestSchema.parse(params), defaultMaxTokens);

function refusal(params: ChatCompletionCreateParams): RouterError {
  try {
    translate(params);
  } catch (error) {
    if (RouterError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const hello = [{ role: 'user' as const, content: 'Hello' }];

describe('translateRequest', () => {
  it('translates the §5.1 vector: system hoisted, image, tool call, merged tool result, tools, tool_choice, limits', () => {
    const { body, jsonTool } = translate({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris? See map:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":18}' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Get weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_completion_tokens: 512,
      temperature: 0.3,
      stop: 'END',
      user: 'user-42',
      stream: true,
      stream_options: { include_usage: true },
    });
    // `stream` is the adapter's to set (doChatStream); everything else is the vector's.
    expect({ ...body, stream: true }).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Use metric units.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris? See map:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '{"temp_c":18}' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      tools: [
        { name: 'get_weather', description: 'Get weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      temperature: 0.3,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      stream: true,
    });
    expect(body).not.toHaveProperty('stream');
    expect(jsonTool).toBeUndefined();
  });

  it('defaults max_tokens, which Anthropic requires, and prefers max_completion_tokens over max_tokens', () => {
    expect(translate({ model: 'm', messages: hello }, 1234).body.max_tokens).toBe(1234);
    expect(translate({ model: 'm', messages: hello, max_tokens: 99 }).body.max_tokens).toBe(99);
    expect(translate({ model: 'm', messages: hello, max_tokens: 99, max_completion_tokens: 77 }).body.max_tokens).toBe(77);
  });

  it.each([
    [{ n: 2 }, 'n', /cannot honour n: the Messages API returns one choice per request/],
    [{ logprobs: true }, 'logprobs', /no log probabilities/],
    [{ top_logprobs: 3 }, 'top_logprobs', /no log probabilities/],
    [{ logit_bias: { '50256': -100 } }, 'logit_bias', /no token biases/],
    [{ temperature: 1.5 }, 'temperature', /from 0 to 1.*got 1\.5/],
    [{ stop: ['END', '  '] }, 'stop', /whitespace-only stop sequences/],
    [{ reasoning_effort: 'high' }, 'reasoning_effort', /extended thinking/],
    [{ modalities: ['text', 'audio'] }, 'modalities', /text only/],
  ])('refuses %o with invalid_request naming %s and saying what to do', (extra, param, message) => {
    const error = refusal({ model: 'm', messages: hello, ...extra } as ChatCompletionCreateParams);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, param, providerId: 'anthropic', isRetryable: false });
    expect(error.message).toMatch(message);
    expect(error.message).toContain("route: { ignore: ['anthropic'] }");
  });

  it('accepts what only looks like a refused parameter: n 1, logprobs false, reasoning_effort none', () => {
    expect(() => translate({ model: 'm', messages: hello, n: 1, logprobs: false, reasoning_effort: 'none' } as ChatCompletionCreateParams)).not.toThrow();
  });

  it('refuses inputs the Messages API cannot take: audio, uploaded file ids, custom tools, legacy function messages', () => {
    const audio = refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] });
    expect(audio.param).toBe('messages[0].content[0].type');
    const file = refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] });
    expect(file.param).toBe('messages[0].content[0].file');
    const custom = refusal({ model: 'm', messages: hello, tools: [{ type: 'custom', custom: { name: 'grep' } }] });
    expect(custom.param).toBe('tools[0]');
    const legacy = refusal({ model: 'm', messages: [...hello, { role: 'function', name: 'f', content: '1' }] });
    expect(legacy.param).toBe('messages[1].role');
  });

  it('refuses tool-call arguments that are not a JSON object', () => {
    const error = refusal({
      model: 'm',
      messages: [...hello, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1,2]' } }] }],
    });
    expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('sends http images by URL, PDFs as documents, and text files as text documents', () => {
    const pdf = `data:application/pdf;base64,${btoa('%PDF-1.7')}`;
    const { body } = translate({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.org/map.png' } },
            { type: 'file', file: { file_data: pdf, filename: 'a.pdf' } },
            { type: 'file', file: { file_data: `data:text/plain;base64,${btoa('plain notes')}` } },
          ],
        },
      ],
    });
    expect(body.messages[0]!.content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.org/map.png' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: btoa('%PDF-1.7') } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' } },
    ]);
  });

  it('reads other text files (Markdown, CSV) as text documents, and refuses a file of another kind before sending, naming the part', () => {
    const { body } = translate({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: `data:text/markdown;base64,${btoa('# Notes')}`, filename: 'notes.md' } }] }],
    });
    expect(body.messages[0]!.content).toEqual([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: '# Notes' } }]);
    // A Word file would go out as a document the Messages API refuses, naming its own indexes.
    const docx = 'data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,UEsDBA==';
    const error = refusal({ model: 'm', messages: [...hello, { role: 'user', content: [{ type: 'text', text: 'Summarise.' }, { type: 'file', file: { file_data: docx } }] }] });
    expect(error).toMatchObject({ code: 'invalid_request', param: 'messages[1].content[1].file.file_data' });
    expect(error.message).toMatch(/PDF/);
    // A text file whose base64 does not decode is refused naming the part too.
    const garbled = refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:text/plain;base64,@@@' } }] }] });
    expect(garbled).toMatchObject({ code: 'invalid_request', param: 'messages[0].content[0].file.file_data' });
    expect(garbled.message).toMatch(/base64/);
  });

  it('reads JSON, YAML and XML files as text documents, and an empty text file as "(empty file)"', () => {
    const text = (fileData: string) => translate({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: fileData } }] }] }).body.messages[0]!.content;
    const document = (data: string) => [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data } }];
    expect(text(`data:application/json;base64,${btoa('{"a":1}')}`)).toEqual(document('{"a":1}'));
    expect(text(`data:application/x-yaml;base64,${btoa('a: 1')}`)).toEqual(document('a: 1'));
    expect(text(`data:application/yaml;base64,${btoa('a: 1')}`)).toEqual(document('a: 1'));
    expect(text(`data:application/xml;base64,${btoa('<a/>')}`)).toEqual(document('<a/>'));
    expect(text('data:text/plain;base64,')).toEqual(document('(empty file)'));
  });

  it('reads a text file in the charset its data: URL names (a CSV saved as windows-1252 by a spreadsheet), UTF-8 otherwise', () => {
    const cafe = btoa(String.fromCharCode(0x63, 0x61, 0x66, 0xe9));
    const text = (fileData: string) => translate({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: fileData } }] }] }).body.messages[0]!.content;
    expect(text(`data:text/csv;charset=windows-1252;base64,${cafe}`)).toEqual([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'café' } }]);
    expect(text(`data:text/csv;charset="ISO-8859-1";base64,${cafe}`)).toEqual([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'café' } }]);
    // A charset nobody knows is read as UTF-8, as before.
    expect(text(`data:text/plain;charset=x-unknown;base64,${btoa('caf\xc3\xa9')}`)).toEqual([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'café' } }]);
  });

  it('refuses a file whose data: URL is not base64 naming the part, instead of sending the URL as a PDF', () => {
    // data:text/plain,<percent-encoded text> is a data: URL too; read as bare base64 it went out as a PDF the API refuses.
    for (const fileData of ['data:text/plain,hello%20world', 'data:text/csv;charset=utf-8,a%2Cb', 'data:application/pdf,%25PDF-1.7']) {
      const error = refusal({ model: 'm', messages: [...hello, { role: 'user', content: [{ type: 'text', text: 'Read.' }, { type: 'file', file: { file_data: fileData } }] }] });
      expect(error, fileData).toMatchObject({ code: 'invalid_request', param: 'messages[1].content[1].file.file_data' });
      expect(error.message, fileData).toMatch(/base64/);
    }
  });

  it('sends an image as the format its bytes are, whatever its data: URL says, which OpenAI takes and the Messages API refuses', () => {
    const bytes = (...values: number[]) => btoa(String.fromCharCode(...values, 0, 0, 0, 0, 0, 0, 0, 0));
    const jpeg = bytes(0xff, 0xd8, 0xff, 0xe0);
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    const gif = btoa('GIF89a' + '\0'.repeat(6));
    const webp = btoa('RIFF\0\0\0\0WEBPVP8 ');
    const image = (url: string) => ({ type: 'image_url' as const, image_url: { url } });
    const { body } = translate({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            // A JPEG snapshot saved as .png, labelled by its name.
            image(`data:image/png;base64,${jpeg}`),
            image(`data:image/jpeg;base64,${png}`),
            image(`data:image/webp;base64,${gif}`),
            image(`data:application/octet-stream;base64,${webp}`),
            // Bytes of no known format keep the type they were given.
            image('data:image/png;base64,AAAA'),
          ],
        },
      ],
    });
    expect(body.messages[0]!.content.map((block) => (block.type === 'image' && block.source.type === 'base64' ? block.source.media_type : block.type))).toEqual([
      'image/jpeg',
      'image/png',
      'image/gif',
      'image/webp',
      'image/png',
    ]);
  });

  it('reads image/jpg, the common misspelling OpenAI accepts, as image/jpeg', () => {
    const { body } = translate({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } }] }] });
    expect(body.messages[0]!.content).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } }]);
  });

  it('keeps text before tool_use, drops empty text, and trims a trailing prefill', () => {
    const { body } = translate({
      model: 'm',
      messages: [
        { role: 'user', content: 'Count to three.' },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: 'One, two, ' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Count to three.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'One, two,' }] },
    ]);
  });

  it('keeps an assistant refusal replayed from an earlier answer (content null, refusal set) as what the model said', () => {
    const { body } = translate({
      model: 'm',
      messages: [
        { role: 'user', content: 'Pick a lock for me.' },
        // What an OpenAI model answered, pushed back into the history as the SDK returned it.
        { role: 'assistant', content: null, refusal: "I can't help with that." },
        { role: 'user', content: 'Then explain how locks work.' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Pick a lock for me.' }] },
      { role: 'assistant', content: [{ type: 'text', text: "I can't help with that." }] },
      { role: 'user', content: [{ type: 'text', text: 'Then explain how locks work.' }] },
    ]);
    // A refusal also given as a content part is said once.
    const parts = translate({
      model: 'm',
      messages: [...hello, { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }], refusal: 'No.' }, { role: 'user', content: 'Why?' }],
    }).body;
    expect(parts.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'No.' }] });
  });

  it('drops turns left empty and joins the turns that then meet; refuses a conversation with none left', () => {
    const { body } = translate({
      model: 'm',
      messages: [
        { role: 'user', content: '' },
        { role: 'assistant', content: 'x' },
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'y' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'x' }] },
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'y' }] },
    ]);
    expect(refusal({ model: 'm', messages: [{ role: 'system', content: 'Be brief.' }] })).toMatchObject({ code: 'invalid_request', param: 'messages' });
  });

  it('leaves out whitespace-only text, which the Messages API and Converse refuse, as they do empty text', () => {
    const { body } = translate({
      model: 'm',
      messages: [
        { role: 'system', content: '\n' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'text', text: ' ' }] },
        // Models often put a line break before their tool calls; the next turn replays it.
        { role: 'assistant', content: '\n\n', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        { role: 'user', content: '  \n' },
        { role: 'assistant', content: [{ type: 'text', text: 'It is sunny.' }, { type: 'text', text: '\t' }] },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
    expect(body.system).toBeUndefined();
    const texts = body.messages.flatMap((message) => message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])));
    expect(texts).toEqual(['Weather?', 'It is sunny.', 'Thanks']);
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('sends a tool result with no text (a command that printed nothing) as "(no output)", which the Messages API requires, and keeps other results as they are', () => {
    const calls = ['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'function' as const, function: { name: 'run', arguments: '{}' } }));
    const { body } = translate({
      model: 'm',
      messages: [
        ...hello,
        { role: 'assistant', tool_calls: calls },
        { role: 'tool', tool_call_id: 'a', content: '' },
        { role: 'tool', tool_call_id: 'b', content: ' \n' },
        { role: 'tool', tool_call_id: 'c', content: [{ type: 'text', text: '' }] },
        { role: 'tool', tool_call_id: 'd', content: [{ type: 'text', text: 'done' }] },
      ],
      tools: [{ type: 'function', function: { name: 'run' } }],
    });
    expect(body.messages[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'a', content: '(no output)' },
      { type: 'tool_result', tool_use_id: 'b', content: '(no output)' },
      { type: 'tool_result', tool_use_id: 'c', content: '(no output)' },
      { type: 'tool_result', tool_use_id: 'd', content: [{ type: 'text', text: 'done' }] },
    ]);
  });

  it('sends temperature and top_p together never (newer models refuse it): temperature wins', () => {
    expect(translate({ model: 'm', messages: hello, temperature: 0, top_p: 0.9 }).body).toMatchObject({ temperature: 0 });
    expect(translate({ model: 'm', messages: hello, temperature: 0, top_p: 0.9 }).body).not.toHaveProperty('top_p');
    expect(translate({ model: 'm', messages: hello, top_p: 0.9 }).body).toMatchObject({ top_p: 0.9 });
  });

  it('rewrites tool-call ids another provider minted (functions.lookup:0) into ids the Messages API accepts, keeping each call paired with its result', () => {
    const { body } = translate({
      model: 'm',
      messages: [
        ...hello,
        {
          role: 'assistant',
          tool_calls: [
            { id: 'functions.lookup:0', type: 'function', function: { name: 'lookup', arguments: '{}' } },
            { id: 'functions.lookup:1', type: 'function', function: { name: 'lookup', arguments: '{}' } },
            { id: 'functions_lookup_0', type: 'function', function: { name: 'lookup', arguments: '{}' } },
            { id: 'call_ok-1', type: 'function', function: { name: 'lookup', arguments: '{}' } },
            { id: `call_${'x'.repeat(80)}`, type: 'function', function: { name: 'lookup', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'functions.lookup:0', content: 'a' },
        { role: 'tool', tool_call_id: 'functions.lookup:1', content: 'b' },
        { role: 'tool', tool_call_id: 'functions_lookup_0', content: 'c' },
        { role: 'tool', tool_call_id: 'call_ok-1', content: 'd' },
        { role: 'tool', tool_call_id: `call_${'x'.repeat(80)}`, content: 'e' },
      ],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
    const uses = body.messages[1]!.content.map((block) => (block.type === 'tool_use' ? block.id : ''));
    const results = body.messages[2]!.content.map((block) => (block.type === 'tool_result' ? block.tool_use_id : ''));
    expect(results).toEqual(uses);
    // Ids that already fit are kept; every id fits Anthropic's and Bedrock's pattern and length, and stays distinct.
    expect(uses[3]).toBe('call_ok-1');
    expect(uses[2]).toBe('functions_lookup_0');
    for (const id of uses) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(uses).size).toBe(5);
  });

  it('gives a history with tool calls but no tools stub definitions, which the model may not call', () => {
    const { body } = translate({
      model: 'm',
      messages: [
        ...hello,
        { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'found' },
        { role: 'user', content: 'Summarise.' },
      ],
    });
    expect(body.tools).toEqual([{ name: 'lookup', input_schema: { type: 'object', properties: {} } }]);
    expect(body.tool_choice).toEqual({ type: 'none' });
    expect(body.messages[1]!.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'lookup', input: {} }]);
  });

  it('refuses a tool_choice that asks for a tool call the request declares no tool for, rather than answering in text', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    for (const params of [
      { model: 'm', messages: hello, tool_choice: 'required' as const },
      { model: 'm', messages: hello, tool_choice: { type: 'function' as const, function: { name: 'f' } } },
      { model: 'm', messages: hello, tools, tool_choice: { type: 'function' as const, function: { name: 'g' } } },
      { model: 'm', messages: hello, tool_choice: 'required' as const, response_format: { type: 'json_object' as const } },
    ]) {
      const error = refusal(params);
      expect(error).toMatchObject({ code: 'invalid_request', param: 'tool_choice', status: 400 });
      expect(error.message).toMatch(/declare/);
    }
    // auto and none ask for nothing: without tools they are simply no tool calls.
    expect(translate({ model: 'm', messages: hello, tool_choice: 'auto' }).body.tools).toBeUndefined();
    expect(translate({ model: 'm', messages: hello, tool_choice: 'none' }).body.tools).toBeUndefined();
  });

  it('flattens anyOf, oneOf and allOf at the top of a tool\'s parameters (as MCP servers write them), which the Messages API refuses there', () => {
    const string = { type: 'string' };
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'find',
          parameters: {
            type: 'object',
            properties: { limit: { type: 'integer' } },
            required: ['limit'],
            anyOf: [
              { properties: { id: string }, required: ['id'] },
              { properties: { name: string }, required: ['name'] },
            ],
          },
        },
      },
      {
        type: 'function' as const,
        function: {
          name: 'move',
          parameters: {
            oneOf: [
              { type: 'object', properties: { kind: { const: 'file' }, path: string }, required: ['kind', 'path'] },
              { type: 'object', properties: { kind: { const: 'url' }, url: string }, required: ['kind', 'url'] },
            ],
          },
        },
      },
      {
        type: 'function' as const,
        function: { name: 'tag', parameters: { allOf: [{ properties: { a: string }, required: ['a'] }, { properties: { b: string }, required: ['b'] }] } },
      },
      {
        // pydantic's form: the variant a reference into $defs, which stays for the properties that use it.
        type: 'function' as const,
        function: { name: 'save', parameters: { allOf: [{ $ref: '#/$defs/Note' }], $defs: { Note: { type: 'object', properties: { text: string }, required: ['text'] } } } },
      },
    ];
    expect(translate({ model: 'm', messages: hello, tools }).body.tools?.map((tool) => tool.input_schema)).toEqual([
      // Every variant's properties are offered; required is what every variant requires.
      { type: 'object', properties: { limit: { type: 'integer' }, id: string, name: string }, required: ['limit'] },
      // A property the variants define differently may be any of its definitions.
      { type: 'object', properties: { kind: { anyOf: [{ const: 'file' }, { const: 'url' }] }, path: string, url: string }, required: ['kind'] },
      { type: 'object', properties: { a: string, b: string }, required: ['a', 'b'] },
      { type: 'object', properties: { text: string }, required: ['text'], $defs: { Note: { type: 'object', properties: { text: string }, required: ['text'] } } },
    ]);
  });

  it('takes an allowed_tools tool_choice by offering only the allowed tools, auto or required', () => {
    const tools = ['f', 'g', 'h'].map((name) => ({ type: 'function' as const, function: { name, parameters: { type: 'object' } } }));
    const allowed = (mode: 'auto' | 'required', names: string[]) =>
      ({ type: 'allowed_tools' as const, allowed_tools: { mode, tools: names.map((name) => ({ type: 'function', function: { name } })) } });
    const auto = translate({ model: 'm', messages: hello, tools, tool_choice: allowed('auto', ['f', 'h']) }).body;
    expect(auto.tools?.map((tool) => tool.name)).toEqual(['f', 'h']);
    expect(auto.tool_choice).toEqual({ type: 'auto' });
    const required = translate({ model: 'm', messages: hello, tools, tool_choice: allowed('required', ['g']), parallel_tool_calls: false }).body;
    expect(required.tools?.map((tool) => tool.name)).toEqual(['g']);
    expect(required.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    // A tool it names must be declared, as for a named function.
    expect(refusal({ model: 'm', messages: hello, tools, tool_choice: allowed('auto', ['f', 'x']) })).toMatchObject({ code: 'invalid_request', param: 'tool_choice' });
  });

  it('maps tool_choice auto, none and a named function, and parallel_tool_calls false onto auto', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    expect(translate({ model: 'm', messages: hello, tools, tool_choice: 'auto' }).body.tool_choice).toEqual({ type: 'auto' });
    expect(translate({ model: 'm', messages: hello, tools, tool_choice: 'none', parallel_tool_calls: false }).body.tool_choice).toEqual({ type: 'none' });
    expect(translate({ model: 'm', messages: hello, tools, tool_choice: { type: 'function', function: { name: 'f' } } }).body.tool_choice).toEqual({ type: 'tool', name: 'f' });
    expect(translate({ model: 'm', messages: hello, tools, parallel_tool_calls: false }).body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    // A tool without parameters still gets the object schema Anthropic requires.
    expect(translate({ model: 'm', messages: hello, tools: [{ type: 'function', function: { name: 'g' } }] }).body.tools).toEqual([
      { name: 'g', input_schema: { type: 'object', properties: {} } },
    ]);
    // Nor does an empty schema, which OpenAI takes for a function without parameters.
    expect(translate({ model: 'm', messages: hello, tools: [{ type: 'function', function: { name: 'g', parameters: {} } }] }).body.tools).toEqual([
      { name: 'g', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it('asks for JSON through a forced tool whose schema is the response_format schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { body, jsonTool } = translate({ model: 'm', messages: hello, response_format: { type: 'json_schema', json_schema: { name: 'place', schema } } });
    expect(jsonTool).toBe('json_response');
    expect(body.tools).toEqual([{ name: 'json_response', description: 'Respond with a JSON object that matches the schema.', input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_response' });

    const withTools = translate({
      model: 'm',
      messages: hello,
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: { type: 'json_object' },
    }).body;
    expect(withTools.tools?.map((tool) => tool.name)).toEqual(['f', 'json_response']);
    expect(withTools.tool_choice).toEqual({ type: 'any' });

    const array = refusal({ model: 'm', messages: hello, response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } } });
    expect(array.param).toBe('response_format.json_schema.schema');
  });

  it('flattens anyOf, oneOf and allOf at the top of a response_format schema, as it does for tool parameters, which the Messages API refuses there too', () => {
    const string = { type: 'string' };
    const jsonSchema = (schema: Record<string, unknown>) => translate({ model: 'm', messages: hello, response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } } }).body.tools?.[0]?.input_schema;
    // An object schema with its variants beside its properties.
    expect(
      jsonSchema({ type: 'object', properties: { limit: { type: 'integer' } }, required: ['limit'], anyOf: [{ properties: { id: string }, required: ['id'] }, { properties: { name: string }, required: ['name'] }] }),
    ).toEqual({ type: 'object', properties: { limit: { type: 'integer' }, id: string, name: string }, required: ['limit'] });
    // A union of objects (a zod union, a discriminated one) has no type of its own: still a JSON object.
    expect(
      jsonSchema({
        oneOf: [
          { type: 'object', properties: { kind: { const: 'file' }, path: string }, required: ['kind', 'path'] },
          { type: 'object', properties: { kind: { const: 'url' }, url: string }, required: ['kind', 'url'] },
        ],
      }),
    ).toEqual({ type: 'object', properties: { kind: { anyOf: [{ const: 'file' }, { const: 'url' }] }, path: string, url: string }, required: ['kind'] });
    expect(jsonSchema({ allOf: [{ properties: { a: string }, required: ['a'] }, { properties: { b: string }, required: ['b'] }] })).toEqual({
      type: 'object',
      properties: { a: string, b: string },
      required: ['a', 'b'],
    });
    // A union of references to objects in its own $defs (as pydantic writes one) is one too.
    const defs = { File: { type: 'object', properties: { path: string }, required: ['path'] }, Url: { type: 'object', properties: { url: string }, required: ['url'] } };
    expect(jsonSchema({ anyOf: [{ $ref: '#/$defs/File' }, { $ref: '#/$defs/Url' }], $defs: defs })).toEqual({ $defs: defs, type: 'object', properties: { path: string, url: string } });
    // A union that may be something else than an object is still refused: the answer is an object.
    const mixed = refusal({ model: 'm', messages: hello, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { anyOf: [{ type: 'object' }, { type: 'string' }] } } } });
    expect(mixed.param).toBe('response_format.json_schema.schema');
  });

  it('passes user as metadata.user_id unless it looks like an e-mail address or phone number or is longer than 256 characters, and drops OpenAI metadata', () => {
    expect(translate({ model: 'm', messages: hello, user: 'ana@example.org' }).body.metadata).toBeUndefined();
    expect(translate({ model: 'm', messages: hello, user: '+33 6 12 34 56 78' }).body.metadata).toBeUndefined();
    expect(translate({ model: 'm', messages: hello, user: '06 12 34 56 78' }).body.metadata).toBeUndefined();
    // A numeric account id is an id, not a phone number.
    expect(translate({ model: 'm', messages: hello, user: '12345678' }).body.metadata).toEqual({ user_id: '12345678' });
    // The Messages API takes a user_id of at most 256 characters and refuses the request otherwise.
    expect(translate({ model: 'm', messages: hello, user: 'u'.repeat(256) }).body.metadata).toEqual({ user_id: 'u'.repeat(256) });
    expect(translate({ model: 'm', messages: hello, user: 'u'.repeat(257) }).body.metadata).toBeUndefined();
    expect(translate({ model: 'm', messages: hello, metadata: { team: 'a' }, seed: 3 }).body).toEqual({
      model: 'm',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });
});
