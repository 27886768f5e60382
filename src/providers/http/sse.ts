/**
 * Incremental Server-Sent Events parsing (WHATWG rules: `\n`, `\r\n` or `\r` line ends, `event`/`data`/`id`
 * fields, comments, multi-line data joined by `\n`, dispatch on a blank line) and formatting.
 * The parser scans strings with indexOf; it never runs a regex per chunk.
 */

export interface SSEEvent {
  /** Event name; 'message' when the event had no `event:` field. */
  event: string;
  data: string;
  id?: string;
}

export class SSEParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private hasData = false;
  private id: string | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private skipLeadingLf = false;

  /** Feeds bytes (or text) and returns the events completed by them. */
  push(chunk: Uint8Array | string, out: SSEEvent[] = []): SSEEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text.length === 0) return out;
    const buf = this.buf.length === 0 ? text : this.buf + text;
    let pos = 0;
    const len = buf.length;
    if (this.skipLeadingLf && len > 0) {
      if (buf.charCodeAt(0) === 10) pos = 1;
      this.skipLeadingLf = false;
    }
    // Next CR/LF positions are cached: a buffer without CR is scanned for it once, not once per line.
    let lf = buf.indexOf('\n', pos);
    let cr = buf.indexOf('\r', pos);
    while (pos < len) {
      if (lf !== -1 && lf < pos) lf = buf.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = buf.indexOf('\r', pos);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < len) {
          next = buf.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        } else {
          // A CR at the end of the chunk: the LF of a CRLF may arrive with the next chunk.
          next = cr + 1;
          this.skipLeadingLf = true;
        }
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      this.line(buf, pos, end, out);
      pos = next;
    }
    this.buf = pos >= len ? '' : buf.slice(pos);
    return out;
  }

  /** Bytes left that do not form a complete line (the stream ended mid-event if non-empty or an event is pending). */
  get pending(): boolean {
    return this.buf.length > 0 || this.hasData;
  }

  private line(buf: string, start: number, end: number, out: SSEEvent[]): void {
    if (start === end) {
      if (this.hasData) {
        const ev: SSEEvent = {
          event: this.event || 'message',
          data: this.data.length === 1 ? this.data[0]! : this.data.join('\n'),
        };
        if (this.id !== undefined) ev.id = this.id;
        out.push(ev);
      }
      this.event = '';
      this.data.length = 0;
      this.hasData = false;
      return;
    }
    if (buf.charCodeAt(start) === 58 /* : comment */) return;
    const colon = buf.indexOf(':', start);
    let field: string;
    let value: string;
    if (colon === -1 || colon >= end) {
      field = buf.slice(start, end);
      value = '';
    } else {
      field = buf.slice(start, colon);
      let v = colon + 1;
      if (v < end && buf.charCodeAt(v) === 32) v++;
      value = buf.slice(v, end);
    }
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      default:
        break; // `retry` and unknown fields are irrelevant to a proxy
    }
  }
}

/** Async iterator of SSE events over a byte/text stream. */
export async function* parseSSE(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SSEEvent, void, undefined> {
  const parser = new SSEParser();
  const out: SSEEvent[] = [];
  for await (const chunk of body) {
    parser.push(chunk, out);
    for (let i = 0; i < out.length; i++) yield out[i]!;
    out.length = 0;
  }
}

/** One SSE frame. `data` must not contain line breaks (JSON.stringify output never does). */
export function formatSSE(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
