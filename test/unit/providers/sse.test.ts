import { formatSSE, parseSSE, SSEParser } from '../../../src/providers';

function feed(parts: Array<string | Uint8Array>): Array<{ event: string; data: string; id?: string }> {
  const p = new SSEParser();
  const out: Array<{ event: string; data: string; id?: string }> = [];
  for (const part of parts) p.push(part, out);
  return out;
}

describe('SSEParser', () => {
  it('parses events with names, multi-line data, comments and ids', () => {
    const events = feed([': keep-alive\n\nevent: message_start\ndata: {"a":1}\n\ndata: line1\ndata: line2\nid: 7\n\n']);
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: 'message', data: 'line1\nline2', id: '7' },
    ]);
  });

  it('handles CRLF and lone CR line ends, including a CRLF split across chunks', () => {
    expect(feed(['data: a\r\n\r\ndata: b\r\rdata: c\r', '\n\r\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('reassembles events and multi-byte characters split at any byte', () => {
    const text = 'data: {"t":"héllo 👋 wörld"}\n\nevent: x\ndata: ✓\n\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const events = feed([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(events).toEqual([
        { event: 'message', data: '{"t":"héllo 👋 wörld"}' },
        { event: 'x', data: '✓' },
      ]);
    }
  });

  it('takes a field without a colon as an empty value and strips one leading space only', () => {
    expect(feed(['data\n\ndata:  two spaces\n\n'])).toEqual([
      { event: 'message', data: '' },
      { event: 'message', data: ' two spaces' },
    ]);
  });

  it('does not dispatch an event that never got its blank line', () => {
    const p = new SSEParser();
    expect(p.push('data: partial')).toEqual([]);
    expect(p.pending).toBe(true);
  });

  it('parseSSE iterates a byte stream; formatSSE round-trips', async () => {
    async function* src(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(formatSSE('{"x":1}', 'ping').slice(0, 5));
      yield Buffer.from(formatSSE('{"x":1}', 'ping').slice(5) + formatSSE('[DONE]'));
    }
    const out = [];
    for await (const ev of parseSSE(src())) out.push(ev);
    expect(out).toEqual([
      { event: 'ping', data: '{"x":1}' },
      { event: 'message', data: '[DONE]' },
    ]);
  });
});
