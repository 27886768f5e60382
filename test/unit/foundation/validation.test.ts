import { parseChatRequest, parseEmbeddingsRequest, formatParam } from '../../../src/proxy/validation';
import { GatewayError } from '../../../src/http';

describe('request validation', () => {
  test('param paths are OpenAI style', () => {
    expect(formatParam(['messages', 2, 'content', 0, 'text'])).toBe('messages[2].content[0].text');
    expect(formatParam([])).toBeNull();
  });

  test('unknown OpenAI parameters pass through untouched', () => {
    const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], logit_bias: { '1': 2 }, reasoning_effort: 'low' });
    expect(req.logit_bias).toEqual({ '1': 2 });
    expect(req.reasoning_effort).toBe('low');
  });

  test.each([
    [{ model: '', messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: 'm', messages: [] }, 'messages'],
    [{ model: 'm', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }, 'max_tokens'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 0 }, 'n'],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages[0].content[0].image_url.url'],
  ])('rejects %j at %s', (body, param) => {
    try {
      parseChatRequest(body);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
      expect((err as GatewayError).param).toBe(param);
    }
  });

  test('embeddings accept strings, string arrays and token arrays', () => {
    expect(parseEmbeddingsRequest({ model: 'e', input: 'x' }).input).toBe('x');
    expect(parseEmbeddingsRequest({ model: 'e', input: [[1, 2], [3]] }).input).toEqual([[1, 2], [3]]);
    expect(() => parseEmbeddingsRequest({ model: 'e', input: [] })).toThrow(GatewayError);
  });
});
