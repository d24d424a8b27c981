import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../wire/chat-request.js';
import { translateRequest } from './translate-request.js';

const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const request = (fields: Partial<ChatRequest>): ChatRequest => ({ model: 'eu.anthropic.claude-sonnet-4-6', messages: [{ role: 'user', content: 'Hi' }], ...fields }) as ChatRequest;

describe('translateRequest (OpenAI → Converse)', () => {
  it('hoists system prompts and keeps multi-part text and base64 images', () => {
    const { body } = translateRequest('bedrock-test', request({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      ],
    }));
    expect(body.system).toEqual([{ text: 'Be brief.' }]);
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }] }]);
  });

  it('sends an image/jpg data URL as a jpeg', () => {
    const { body } = translateRequest('bedrock-test', request({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } }] }] }));
    expect(body.messages).toEqual([{ role: 'user', content: [{ image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } }] }]);
  });

  it('refuses an image URL, which Converse cannot fetch', () => {
    expect(() => translateRequest('bedrock-test', request({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }))).toThrow(/data: URL/);
  });

  it("names the image URL's place in the caller's messages, not in the translated conversation", () => {
    const translating = () =>
      translateRequest('bedrock-test', request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Hi.' },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
        ],
      }));
    expect(translating).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'messages[3].content[1].image_url.url' }));
    expect(translating).toThrow(/cannot honour messages\[3\]\.content\[1\]\.image_url\.url: .*data: URL/);
  });

  it('gives every PDF of the conversation its own name, as Converse refuses duplicate document names', () => {
    const pdf = (data: string) => ({ type: 'file' as const, file: { file_data: `data:application/pdf;base64,${data}` } });
    const { body } = translateRequest('bedrock-test', request({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Summarise these.' }, pdf('JVBERi0xLjQ='), pdf('JVBERi0xLjU=')] },
        { role: 'assistant', content: 'Both are invoices.' },
        { role: 'user', content: [{ type: 'text', text: 'And this one?' }, pdf('JVBERi0xLjY=')] },
      ],
    }));
    const names = body.messages.flatMap((message) => message.content.flatMap((block) => ('document' in block ? [block.document.name] : [])));
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9\-()[\] ]{1,200}$/);
  });

  it('sends each file in the document format its media type names: PDF, Word and Excel, which Converse reads', () => {
    const file = (mediaType: string) => ({ type: 'file' as const, file: { file_data: `data:${mediaType};base64,UEsDBA==` } });
    const { body } = translateRequest('bedrock-test', request({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            file('application/pdf'),
            file('application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
            file('application/msword'),
            file('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
            file('application/vnd.ms-excel'),
          ],
        },
      ],
    }));
    const formats = body.messages[0]!.content.flatMap((block) => ('document' in block ? [block.document.format] : []));
    expect(formats).toEqual(['pdf', 'docx', 'doc', 'xlsx', 'xls']);
  });

  it('refuses a file of a kind Converse does not read, naming its part and the kinds it reads', () => {
    const translating = () =>
      translateRequest('bedrock-test', request({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Unpack this.' }, { type: 'file', file: { file_data: 'data:application/zip;base64,UEsDBA==' } }] }],
      }));
    expect(translating).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'messages[0].content[1].file.file_data' }));
    expect(translating).toThrow(/Converse reads PDF, Word \(doc, docx\), Excel \(xls, xlsx\) and text files \(got application\/zip\)/);
  });

  it('sends JSON, YAML and XML files as text, like text/* files, and an empty text file as "(empty file)", never a blank block', () => {
    const file = (mediaType: string, text: string) => ({ type: 'file' as const, file: { file_data: `data:${mediaType};base64,${btoa(text)}` } });
    const { body } = translateRequest('bedrock-test', request({
      messages: [
        {
          role: 'user',
          content: [
            file('application/json', '{"a":1}'),
            file('application/x-yaml', 'a: 1'),
            file('application/yaml', 'b: 2'),
            file('application/xml', '<a/>'),
            file('application/ld+json', '{}'),
            file('text/plain', ''),
            file('application/json', ' \n'),
          ],
        },
      ],
    }));
    expect(body.messages[0]!.content).toEqual([{ text: '{"a":1}' }, { text: 'a: 1' }, { text: 'b: 2' }, { text: '<a/>' }, { text: '{}' }, { text: '(empty file)' }, { text: '(empty file)' }]);
  });

  it('gives a message that carries only a PDF the text block Converse requires next to a document', () => {
    const { body } = translateRequest('bedrock-test', request({
      messages: [
        { role: 'system', content: 'Summarise what the user sends.' },
        { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' } }] },
      ],
    }));
    const content = body.messages[0]!.content;
    expect(content.some((block) => 'document' in block)).toBe(true);
    const texts = content.flatMap((block) => ('text' in block ? [block.text] : []));
    expect(texts).toHaveLength(1);
    expect(texts[0]!.trim()).not.toBe('');
  });

  it('gives an empty or blank tool result a text that is not blank, as Converse refuses blank text', () => {
    const { body } = translateRequest('bedrock-test', request({
      tools: [weather],
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
            { id: 't2', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: '' },
        { role: 'tool', tool_call_id: 't2', content: ' \n' },
      ],
    }));
    const results = body.messages[2]!.content.flatMap((block) => ('toolResult' in block ? block.toolResult.content.map((part) => part.text) : []));
    expect(results).toHaveLength(2);
    for (const text of results) expect(text.trim()).not.toBe('');
  });

  it("starts with a user turn, as Converse requires, when the caller's conversation opens with the assistant's greeting", () => {
    const { body } = translateRequest('bedrock-test', request({
      messages: [
        { role: 'system', content: 'You are a helpful weather bot.' },
        { role: 'assistant', content: 'Hello! Which city?' },
        { role: 'user', content: 'Berlin' },
      ],
    }));
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(body.messages[1]).toEqual({ role: 'assistant', content: [{ text: 'Hello! Which city?' }] });
    expect(body.messages[2]).toEqual({ role: 'user', content: [{ text: 'Berlin' }] });
    const opening = body.messages[0]!.content;
    expect(opening).toHaveLength(1);
    expect('text' in opening[0]! && opening[0].text.trim() !== '').toBe(true);
  });

  it('maps sampling and limits onto inferenceConfig, and sends no maxTokens unless asked', () => {
    expect(translateRequest('bedrock-test', request({})).body.inferenceConfig).toBeUndefined();
    const { body } = translateRequest('bedrock-test', request({ max_completion_tokens: 300, temperature: 0.2, stop: 'END' }));
    expect(body.inferenceConfig).toEqual({ maxTokens: 300, temperature: 0.2, stopSequences: ['END'] });
  });

  it('translates tools, tool calls and tool results, and tool_choice', () => {
    const { body } = translateRequest('bedrock-test', request({
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'user', content: 'Weather in Berlin?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } }] },
        { role: 'tool', tool_call_id: 'tooluse_1', content: '12 °C' },
      ],
    }));
    expect(body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city', inputSchema: { json: weather.function.parameters } } }],
      toolChoice: { tool: { name: 'get_weather' } },
    });
    expect(body.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Berlin' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: '12 °C' }] } }] },
    ]);
    expect(translateRequest('bedrock-test', request({ tools: [weather], tool_choice: 'required' })).body.toolConfig?.toolChoice).toEqual({ any: {} });
  });

  it("replays tool history as text for tool_choice none, which Converse lacks", () => {
    const { body } = translateRequest('bedrock-test', request({
      tools: [weather],
      tool_choice: 'none',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'sunny' },
      ],
    }));
    expect(body.toolConfig).toBeUndefined();
    expect(JSON.stringify(body.messages)).not.toContain('toolUse');
    expect(body.messages[2]).toEqual({ role: 'user', content: [{ text: '[tool result: sunny]' }] });
  });

  it('asks for JSON through a forced tool', () => {
    const { body, jsonTool } = translateRequest('bedrock-test', request({ response_format: { type: 'json_object' } }));
    expect(jsonTool).toBe('json_response');
    expect(body.toolConfig?.toolChoice).toEqual({ tool: { name: 'json_response' } });
  });

  it('refuses what would change the answer, naming the field', () => {
    expect(() => translateRequest('bedrock-test', request({ n: 2 }))).toThrow(/bedrock-test cannot honour n/);
    expect(() => translateRequest('bedrock-test', request({ temperature: 1.5 }))).toThrow(/temperature/);
  });

  it("words its refusals in Bedrock's terms, not those of Anthropic's Messages API, whatever the model", () => {
    const refusals = [
      request({ model: 'amazon.nova-pro-v1:0', n: 2 }),
      request({ model: 'amazon.nova-pro-v1:0', logprobs: true }),
      request({ model: 'openai.gpt-oss-120b-1:0', temperature: 1.5 }),
      request({ model: 'amazon.nova-pro-v1:0', stop: [' '] }),
      request({ model: 'amazon.nova-pro-v1:0', response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } } }),
      request({ model: 'amazon.nova-pro-v1:0', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] } as never),
      request({ model: 'amazon.nova-pro-v1:0', messages: [{ role: 'system', content: 'Only a system prompt.' }] }),
    ];
    for (const refused of refusals) {
      let message = '';
      try {
        translateRequest('bedrock-test', refused);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^bedrock-test cannot honour .*Converse/);
      expect(message).not.toMatch(/Messages API|Anthropic/);
    }
  });
});
