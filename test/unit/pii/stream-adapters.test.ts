/**
 * Stream adapters against the real stream shapes: OpenAI `chat.completion.chunk` sequences as the provider
 * adapters yield them (`ChatChunk`: role chunk, content, refusal, tool calls with id/name then argument pieces,
 * finish chunk, usage-only chunk) and Anthropic events as the gateway's own edge translator produces them
 * (`createAnthropicStreamTranslator`, `AnthropicStreamEvent`).
 */
import { AnthropicStreamTransformer, createPiiScanner, OpenAIChatStreamTransformer, PiiStreamScanner, TokenVault } from '../../../src/pii';
import { createAnthropicStreamTranslator, type AnthropicStreamEvent, type ChatChunk, type ChatDelta } from '../../../src/providers';

const scanner = createPiiScanner();

function chunk(delta: ChatDelta, finish: ChatChunk['choices'][number]['finish_reason'] = null, index = 0): ChatChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index, delta, finish_reason: finish }] };
}

/** Splits text into pieces of `size` characters, the way tokens arrive. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function contentOf(chunks: readonly ChatChunk[], field: 'content' | 'refusal' = 'content', index = 0): string {
  return chunks.map((c) => c.choices.find((x) => x.index === index)?.delta[field] ?? '').join('');
}

function argumentsOf(chunks: readonly ChatChunk[], call: number): string {
  return chunks.flatMap((c) => c.choices.flatMap((x) => x.delta.tool_calls ?? []))
    .filter((t) => t.index === call).map((t) => t.function.arguments ?? '').join('');
}

describe('OpenAI chat.completion.chunk streams', () => {
  const answer = 'Sure. Her email is anna.schmidt@example.de and her phone +49 30 901820; card 4111 1111 1111 1111 expires soon.';

  test.each([1, 3, 7, 64])('content in %i-character pieces: redacted whatever the split, shape kept', (size) => {
    const t = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const input: ChatChunk[] = [
      chunk({ role: 'assistant', content: '' }),
      ...pieces(answer, size).map((p) => chunk({ content: p })),
      chunk({}, 'stop'),
      { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 } },
    ];
    const frozen = JSON.stringify(input);
    const out = input.map((c) => t.transformChunk(c));
    expect(JSON.stringify(input)).toBe(frozen); // inputs never mutated
    expect(contentOf(out)).toBe('Sure. Her email is <EMAIL_ADDRESS> and her phone <PHONE_NUMBER>; card <CREDIT_CARD> expires soon.');
    expect(out).toHaveLength(input.length);
    expect(out[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(out[out.length - 1]).toEqual(input[input.length - 1]); // usage-only chunk untouched
    for (const [i, c] of out.entries()) {
      expect(Object.keys(c).sort()).toEqual(Object.keys(input[i]!).sort());
    }
    expect(t.summary).toEqual({ EMAIL_ADDRESS: 1, PHONE_NUMBER: 1, CREDIT_CARD: 1 });
  });

  test('text without entities is released at once (no held characters beyond the current token)', () => {
    const t = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const out = t.transformChunk(chunk({ content: 'The weather is fine today and ' }));
    expect(out.choices[0]!.delta.content).toBe('The weather is fine today and ');
  });

  test('tool calls: first delta with id/name, arguments in pieces, held tail emitted on finish; valid JSON after', () => {
    const t = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const args = JSON.stringify({ to: 'bob@example.com', note: 'call +1 415 555 2671' });
    const input: ChatChunk[] = [
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } }] }),
      ...pieces(args, 5).map((p) => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
      chunk({}, 'tool_calls'),
    ];
    const out = input.map((c) => t.transformChunk(c));
    expect(out[0]!.choices[0]!.delta.tool_calls![0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } });
    expect(out[0]!.choices[0]!.delta.content).toBeNull();
    expect(JSON.parse(argumentsOf(out, 0))).toEqual({ to: '<EMAIL_ADDRESS>', note: 'call <PHONE_NUMBER>' });
    expect(out[out.length - 1]!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  test('refusal deltas are scanned like content', () => {
    const t = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const out = [...pieces("I can't share bob@example.com.", 4).map((p) => chunk({ refusal: p })), chunk({}, 'stop')].map((c) => t.transformChunk(c));
    expect(contentOf(out, 'refusal')).toBe("I can't share <EMAIL_ADDRESS>.");
    expect(out.every((c) => c.choices[0]!.delta.content === undefined)).toBe(true);
  });

  test('several choices (n > 1) are kept apart; a finish chunk without held text gets no content field', () => {
    const t = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const out = [
      chunk({ content: 'a: bob@exa' }, null, 0),
      chunk({ content: 'b: no entity here ' }, null, 1),
      chunk({ content: 'mple.com' }, null, 0),
      chunk({}, 'stop', 1),
      chunk({}, 'stop', 0),
    ].map((c) => t.transformChunk(c));
    expect(contentOf(out, 'content', 0)).toBe('a: <EMAIL_ADDRESS>');
    expect(contentOf(out, 'content', 1)).toBe('b: no entity here ');
    expect(out[3]!.choices[0]!.delta).toEqual({});
  });

  test('abrupt end: flush() returns chunks with what was held, built on the template', () => {
    const t = new OpenAIChatStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const first = t.transformChunk(chunk({ content: 'mail me at bob@example.com' }));
    expect(first.choices[0]!.delta.content).toBe('mail me at ');
    const rest = t.flush({ id: 'chatcmpl-1', created: 1, model: 'gpt-x' }) as ChatChunk[];
    expect(contentOf([first, ...rest])).toBe('mail me at <EMAIL_ADDRESS>');
    expect(rest[0]).toMatchObject({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, finish_reason: null }] });
    expect(t.flush()).toEqual([]);
  });
});

describe('Anthropic Messages stream events (from the gateway edge translator)', () => {
  function anthropicEvents(chunks: readonly ChatChunk[]): AnthropicStreamEvent[] {
    const tr = createAnthropicStreamTranslator({ requestedModel: 'claude-x', inputTokens: 3 });
    return [...chunks.flatMap((c) => tr.push(c)), ...tr.finish()];
  }

  function textOf(events: readonly unknown[], index: number): string {
    return (events as AnthropicStreamEvent[]).map((e) => {
      if (e.type === 'content_block_delta' && e.index === index) {
        return e.delta.type === 'text_delta' ? e.delta.text : e.delta.type === 'input_json_delta' ? e.delta.partial_json : '';
      }
      if (e.type === 'content_block_start' && e.index === index && e.content_block.type === 'text') return e.content_block.text;
      return '';
    }).join('');
  }

  test('text and tool_use blocks: redacted, held text emitted before content_block_stop, event order kept', () => {
    const text = 'Card 4111 1111 1111 1111, mail bob@example.com. ';
    const args = JSON.stringify({ iban: 'DE89 3704 0044 0532 0130 00' });
    const source = anthropicEvents([
      chunk({ role: 'assistant', content: '' }),
      ...pieces(text, 3).map((p) => chunk({ content: p })),
      chunk({ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'pay', arguments: '' } }] }),
      ...pieces(args, 4).map((p) => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
      chunk({}, 'tool_calls'),
    ]);
    const t = new AnthropicStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const out = source.flatMap((e) => t.transformEvent(e)) as AnthropicStreamEvent[];
    const types = (xs: AnthropicStreamEvent[]) => xs.map((e) => e.type).filter((x) => x !== 'content_block_delta');
    expect(types(out)).toEqual(types(source));
    expect(textOf(out, 0)).toBe('Card <CREDIT_CARD>, mail <EMAIL_ADDRESS>. ');
    expect(JSON.parse(textOf(out, 1))).toEqual({ iban: '<IBAN_CODE>' });
    // Every delta of a block comes before that block's stop.
    for (const index of [0, 1]) {
      const stop = out.findIndex((e) => e.type === 'content_block_stop' && e.index === index);
      const lastDelta = out.map((e, i) => (e.type === 'content_block_delta' && e.index === index ? i : -1)).reduce((a, b) => Math.max(a, b));
      expect(lastDelta).toBeLessThan(stop);
    }
  });

  test('initial text in content_block_start is scanned; thinking and signature deltas pass unchanged', () => {
    const t = new AnthropicStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const thinking = { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'user is bob@example.com' } } as const;
    const signature = { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } } as const;
    expect(t.transformEvent(thinking)).toEqual([thinking]);
    expect(t.transformEvent(signature)).toEqual([signature]);
    const out = [
      ...t.transformEvent({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: 'Write to bob@exa' } }),
      ...t.transformEvent({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'mple.com now' } }),
      ...t.transformEvent({ type: 'content_block_stop', index: 1 }),
    ];
    expect(textOf(out, 1)).toBe('Write to <EMAIL_ADDRESS> now');
  });

  test('a block left open (upstream cut) is flushed before message_delta / by flush()', () => {
    const t = new AnthropicStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const first = t.transformEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ssn 078-05-11' } });
    const end = t.transformEvent({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 9 } });
    expect(textOf([...first, ...end], 0)).toBe('ssn 078-05-11');
    expect((end[end.length - 1] as AnthropicStreamEvent).type).toBe('message_delta');
    const t2 = new AnthropicStreamTransformer({ scanner, actions: { '*': 'redact' } });
    const a = t2.transformEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'mail bob@example.com' } });
    expect(textOf([...a, ...t2.flush()], 0)).toBe('mail <EMAIL_ADDRESS>');
  });
});

describe('stream scanner bounds', () => {
  test('a private key streamed in tiny pieces is held whole, released redacted, and costs linear time', () => {
    const body = Array.from({ length: 400 }, (_, i) => 'MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun'.slice(i % 7) + '\n').join('');
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
    const s = new PiiStreamScanner({ scanner, actions: { '*': 'redact' } });
    let scans = 0;
    const counting = { ...scanner, scan: (t: string) => (scans++, scanner.scan(t)), entityTypes: scanner.entityTypes };
    const s2 = new PiiStreamScanner({ scanner: counting, actions: { '*': 'redact' } });
    let out = s.push('here: ');
    let out2 = s2.push('here: ');
    for (const p of pieces(key + ' done.', 4)) {
      out += s.push(p);
      out2 += s2.push(p);
    }
    out += s.flush();
    out2 += s2.flush();
    expect(out).toBe('here: <PRIVATE_KEY> done.');
    expect(out2).toBe(out);
    // Held pieces of the block are not rescanned one by one.
    expect(scans).toBeLessThan(20);
  });
});

describe('tokenized request values in streamed answers', () => {
  test('a placeholder split across chunks and across tool-call argument pieces is restored (JSON-escaped in arguments)', () => {
    const vault = new TokenVault();
    const email = vault.tokenize('EMAIL_ADDRESS', 'bob "the boss"@example.com');
    const t = new OpenAIChatStreamTransformer({ scanner, actions: {}, operators: { vault } });
    const args = JSON.stringify({ to: email });
    const out = [
      ...pieces(`Writing to ${email} now.`, 3).map((p) => chunk({ content: p })),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } }] }),
      ...pieces(args, 3).map((p) => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
      chunk({}, 'tool_calls'),
    ].map((c) => t.transformChunk(c));
    expect(contentOf(out)).toBe('Writing to bob "the boss"@example.com now.');
    expect(JSON.parse(argumentsOf(out, 0))).toEqual({ to: 'bob "the boss"@example.com' });
  });
});
