import {
  AnthropicStreamTransformer, createPiiScanner, OpenAIChatStreamTransformer, PiiStreamScanner, redactText, TokenVault,
  transformBody,
} from '../../../src/pii';

const scanner = createPiiScanner();

test('operators: redact, mask, hash (stable), tokenize + restore, block', () => {
  const text = 'mail bob@example.com card 4111-1111-1111-1111';
  expect(redactText(scanner, text).text).toBe('mail <EMAIL_ADDRESS> card <CREDIT_CARD>');
  expect(redactText(scanner, text, { CREDIT_CARD: 'mask' }).text).toBe('mail bob@example.com card ****-****-****-1111');
  const h1 = redactText(scanner, text, { '*': 'hash' }, { hashKey: 'k1' }).text;
  expect(h1).toBe(redactText(scanner, text, { '*': 'hash' }, { hashKey: 'k1' }).text);
  expect(h1).not.toBe(redactText(scanner, text, { '*': 'hash' }, { hashKey: 'k2' }).text);
  const vault = new TokenVault();
  const t = redactText(scanner, text + ' again bob@example.com', { '*': 'tokenize' }, { vault });
  expect(t.text).toBe('mail <EMAIL_ADDRESS_1> card <CREDIT_CARD_1> again <EMAIL_ADDRESS_1>');
  expect(vault.restore('Hi <EMAIL_ADDRESS_1>')).toBe('Hi bob@example.com');
  const b = redactText(scanner, text, { CREDIT_CARD: 'block' });
  expect(b.blocked).toBe(true);
  expect(b.blockedTypes).toEqual(['CREDIT_CARD']);
});

test('OpenAI chat request: content parts and tool-call arguments stay valid JSON; input not mutated', () => {
  const body = {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'be nice' },
      { role: 'user', content: [{ type: 'text', text: 'I am bob@example.com' }, { type: 'image_url', image_url: { url: 'x' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{"email":"a@b.com","n":1}' } }] },
      { role: 'tool', tool_call_id: '1', content: 'ssn 078-05-1121' },
    ],
  };
  const copy = JSON.parse(JSON.stringify(body));
  const r = transformBody('openai.chat.request', body, scanner, { '*': 'redact' });
  expect(body).toEqual(copy);
  expect(r.summary).toEqual({ EMAIL_ADDRESS: 2, US_SSN: 1 });
  const out = r.body as typeof body;
  expect((out.messages[1]!.content as Array<{ text?: string }>)[0]!.text).toBe('I am <EMAIL_ADDRESS>');
  expect(JSON.parse(out.messages[2]!.tool_calls![0]!.function.arguments)).toEqual({ email: '<EMAIL_ADDRESS>', n: 1 });
  expect(out.messages[0]).toBe(body.messages[0]); // untouched parts are shared, not copied
});

test('embeddings and Anthropic shapes; responses restore tokens', () => {
  expect((transformBody('openai.embeddings.request', { input: ['x a@b.com', [1, 2]] }, scanner, { '*': 'redact' }).body as { input: unknown[] }).input)
    .toEqual(['x <EMAIL_ADDRESS>', [1, 2]]);
  const vault = new TokenVault();
  const req = transformBody('anthropic.messages.request', {
    system: [{ type: 'text', text: 'admin a@b.com' }],
    messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'c@d.com' }] }] }],
  }, scanner, { '*': 'tokenize' }, { vault });
  expect(JSON.stringify(req.body)).toContain('<EMAIL_ADDRESS_2>');
  const res = transformBody('anthropic.messages.response', {
    content: [{ type: 'text', text: 'Mail <EMAIL_ADDRESS_1>' }, { type: 'tool_use', input: { to: '<EMAIL_ADDRESS_2>' } }],
  }, scanner, { '*': 'tokenize' }, { vault });
  expect(res.body).toEqual({ content: [{ type: 'text', text: 'Mail a@b.com' }, { type: 'tool_use', input: { to: 'c@d.com' } }] });
});

test('stream scanner: entity split across chunks is caught, placeholder split across chunks restored', () => {
  const vault = new TokenVault();
  vault.tokenize('EMAIL_ADDRESS', 'bob@example.com');
  const s = new PiiStreamScanner({ scanner, actions: { '*': 'redact' }, operators: { vault } });
  let out = '';
  for (const c of ['Hello, my card is 4111 11', '11 1111 1111 and you are <EMAIL_', 'ADDRESS_1> ok. ']) out += s.push(c);
  out += s.flush();
  expect(out).toBe('Hello, my card is <CREDIT_CARD> and you are bob@example.com ok. ');
  const early = new PiiStreamScanner({ scanner, actions: { '*': 'redact' } });
  expect(early.push('The weather today is fine and ')).toBe('The weather today is fine and ');
});

test('OpenAI and Anthropic stream adapters', () => {
  const o = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
  const parts = ['mail bob@exa', 'mple.com now'].map((c) => o.transformChunk({ choices: [{ index: 0, delta: { content: c }, finish_reason: null }] }));
  const end = o.transformChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  const text = [...parts, end].map((c) => (c as { choices: Array<{ delta: { content?: string } }> }).choices[0]!.delta.content ?? '').join('');
  expect(text).toBe('mail <EMAIL_ADDRESS> now');
  const a = new AnthropicStreamTransformer({ scanner, actions: { '*': 'redact' } });
  const ev = [
    ...a.transformEvent({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"to": "bob@ex' } }),
    ...a.transformEvent({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'ample.com"}' } }),
    ...a.transformEvent({ type: 'content_block_stop', index: 0 }),
  ] as Array<{ delta?: { partial_json?: string } }>;
  expect(JSON.parse(ev.map((e) => e.delta?.partial_json ?? '').join(''))).toEqual({ to: '<EMAIL_ADDRESS>' });
});

describe('bad input', () => {
  test('lone surrogates', () => {
    const t = '\ud800 bob@example.com \udfff 4111 1111 1111 1111 \ud83d';
    expect(scanner.scan(t).map((f) => f.type)).toEqual(['EMAIL_ADDRESS', 'CREDIT_CARD']);
    expect(redactText(scanner, t, { '*': 'mask' }).text).toContain('\ud800');
  });
  test('10 MB strings (digits, base64, near-matches) finish and stay correct', () => {
    const digits = '7'.repeat(10 * 1024 * 1024);
    expect(scanner.scan(digits)).toEqual([]);
    const b64 = Buffer.alloc(7.5 * 1024 * 1024, 0x5a).toString('base64');
    expect(scanner.scan(b64 + ' bob@example.com').map((f) => f.type)).toEqual(['EMAIL_ADDRESS']);
    const near = 'AKIA1234 ghp_short sk- eyJ.x -----BEGIN x 4111 1111 1111 1112 DE00 0000 '.repeat(50_000);
    expect(scanner.scan(near)).toEqual([]);
  });
  test('deeply nested tool arguments and content arrays', () => {
    let deep = '"a@b.com"';
    for (let i = 0; i < 5000; i++) deep = `[${deep}]`;
    const r = transformBody('openai.chat.request', {
      messages: [{ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: deep } }] }],
    }, scanner, { '*': 'redact' });
    const args = (r.body as { messages: Array<{ tool_calls: Array<{ function: { arguments: string } }> }> }).messages[0]!.tool_calls[0]!.function.arguments;
    expect(args).toContain('<EMAIL_ADDRESS>');
    expect(args).not.toContain('a@b.com');
    let nested: unknown = [{ type: 'text', text: 'x' }];
    for (let i = 0; i < 10000; i++) nested = [nested];
    expect(() => transformBody('anthropic.messages.request', { messages: [{ role: 'user', content: nested }] }, scanner, { '*': 'redact' })).not.toThrow();
  });
});
