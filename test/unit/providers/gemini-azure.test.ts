import { CANNED_TEXT, startMockProvider, type MockProvider } from '../../../src/mock';
import {
  chatToGeminiRequest,
  geminiModelPath,
  geminiResponseToChat,
  getAdapter,
  UpstreamError,
  type ChatChunk,
  type ChatRequest,
} from '../../../src/providers';
import { call, collect, target } from './helpers';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.clearRequests());

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('Gemini request/response shapes', () => {
  it('builds contents, systemInstruction, tools, function responses and generation config', () => {
    const req: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'c1', content: 'plain text' },
      ],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 100,
      temperature: 0.2,
      stop: ['END'],
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' } } },
    };
    expect(chatToGeminiRequest(req)).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/jpeg', data: '/9j/' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }, { functionResponse: { name: 'get_weather', response: { content: 'plain text' } } }] },
      ],
      generationConfig: { maxOutputTokens: 100, temperature: 0.2, stopSequences: ['END'], responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } },
      tools: [{ functionDeclarations: [{ name: 'get_weather', parameters: weatherTool.function.parameters }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    });
    expect(geminiModelPath('gemini-2.5-flash', 'generateContent')).toBe('/models/gemini-2.5-flash:generateContent');
    expect(geminiModelPath('tunedModels/my-model', 'generateContent')).toBe('/tunedModels/my-model:generateContent');
  });

  it('maps candidates, finish reasons, blocked prompts and usage (thinking tokens are output)', () => {
    const res = geminiResponseToChat({
      candidates: [{ content: { parts: [{ text: 'thinking...', thought: true }, { text: 'Hi' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 7, cachedContentTokenCount: 4, totalTokenCount: 22 },
    }, 'gemini-x');
    expect(res.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'length' });
    expect(res.usage).toEqual({ prompt_tokens: 10, completion_tokens: 12, total_tokens: 22, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 7 } });
    const blocked = geminiResponseToChat({ promptFeedback: { blockReason: 'SAFETY' } }, 'g');
    expect(blocked.choices[0]!.finish_reason).toBe('content_filter');
    const safety = geminiResponseToChat({ candidates: [{ content: { parts: [] }, finishReason: 'SAFETY' }] }, 'g');
    expect(safety.choices[0]!.finish_reason).toBe('content_filter');
  });
});

describe('Gemini adapter against the mock', () => {
  const t = (): ReturnType<typeof target> => target('gemini', `${mock.url}/gemini/v1beta`);

  it('generateContent with the key in x-goog-api-key', async () => {
    const res = await getAdapter('gemini').chat({ model: 'x', messages: [{ role: 'user', content: 'echo this' }] }, call(t(), 'demo-echo'));
    expect(res.choices[0]!.message.content).toBe('echo this');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    const [rec] = mock.requests();
    expect(rec!.path).toBe('/gemini/v1beta/models/demo-echo:generateContent');
    expect(rec!.headers['x-goog-api-key']).toBe('[present]');
  });

  it('streamGenerateContent?alt=sse assembles the text; tools come back as tool calls', async () => {
    const chunks = await collect(await getAdapter('gemini').chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, call(t())));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(CANNED_TEXT);
    expect(chunks[chunks.length - 1]!.usage!.completion_tokens).toBeGreaterThan(10);
    expect(mock.requests()[0]!.query).toBe('alt=sse');
    const tools: ChatChunk[] = await collect(await getAdapter('gemini').chatStream({ model: 'x', messages: [{ role: 'user', content: 'get_weather now' }], tools: [weatherTool], stream: true }, call(t())));
    const tc = tools.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])[0]!;
    expect(tc.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(tools[tools.length - 1]!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('embeddings via batchEmbedContents, with estimated usage; token-array input is rejected', async () => {
    const res = await getAdapter('gemini').embeddings({ model: 'x', input: ['one', 'two'], dimensions: 16 }, call(t(), 'demo-embed'));
    expect(res.data.map((d) => (d.embedding as number[]).length)).toEqual([16, 16]);
    expect(res.usage.prompt_tokens).toBe(2);
    expect(mock.requests()[0]!.body).toEqual({ requests: [
      { model: 'models/demo-embed', content: { parts: [{ text: 'one' }] }, outputDimensionality: 16 },
      { model: 'models/demo-embed', content: { parts: [{ text: 'two' }] }, outputDimensionality: 16 },
    ] });
    await expect(getAdapter('gemini').embeddings({ model: 'x', input: [1, 2, 3] }, call(t()))).rejects.toMatchObject({ param: 'input' });
  });

  it('a stream cut before finishReason is stream_cut', async () => {
    const s = await getAdapter('gemini').chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true }, call(target('gemini', `${mock.url}/fault/cut=2/v1beta`)));
    const err = await collect(s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toBe('stream_cut');
  });
});

describe('Azure OpenAI adapter', () => {
  it('calls the deployment URL with api-version and api-key, without a model field', async () => {
    const t = target('azure_openai', `${mock.url}/azure`, { azureApiVersion: '2024-10-21' });
    const res = await getAdapter('azure_openai').chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, call(t, 'my-gpt4o-deployment'));
    expect(res.choices[0]!.message.content).toBe(CANNED_TEXT);
    const [rec] = mock.requests();
    expect(rec!.path).toBe('/azure/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(rec!.query).toBe('api-version=2024-10-21');
    expect(rec!.headers['api-key']).toBe('[present]');
    expect(rec!.headers.authorization).toBeUndefined();
    expect(rec!.body).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('supports the v1 surface and refuses an endpoint without api version', async () => {
    const v1 = target('azure_openai', `${mock.url}/azure`, { azureApiVersion: 'v1' });
    await getAdapter('azure_openai').chat({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, call(v1, 'demo-chat'));
    expect(mock.requests()[0]!.path).toBe('/azure/openai/v1/chat/completions');
    expect(mock.requests()[0]!.body).toMatchObject({ model: 'demo-chat' });
    const none = target('azure_openai', `${mock.url}/azure`);
    await expect(getAdapter('azure_openai').chat({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, call(none))).rejects.toMatchObject({ kind: 'protocol', retryable: false });
  });

  it('streams and embeds through deployments', async () => {
    const t = target('azure_openai', `${mock.url}/azure`, { azureApiVersion: '2024-10-21' });
    const chunks = await collect(await getAdapter('azure_openai').chatStream({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true }, call(t, 'dep')));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(CANNED_TEXT);
    const emb = await getAdapter('azure_openai').embeddings({ model: 'x', input: 'a' }, call(t, 'emb-dep'));
    expect(emb.data).toHaveLength(1);
    expect(mock.requests()[1]!.path).toBe('/azure/openai/deployments/emb-dep/embeddings');
  });
});
