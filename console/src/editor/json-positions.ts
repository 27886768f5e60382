/**
 * Where a JSON path ("pii.input.EMAIL_ADDRESS", "models.allow.0") sits in a JSON text: a small
 * scanner that records the offsets of every key and value, so validation issues that name a path
 * in the policy data can be marked in the editor.
 */

export interface Span { from: number; to: number }

export function jsonPathSpans(text: string): Map<string, Span> {
  const spans = new Map<string, Span>();
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i += 1; };
  const str = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i += 1;
    try { return JSON.parse(text.slice(start, i)) as string; } catch { return text.slice(start + 1, i - 1); }
  };
  const value = (path: string, keyFrom: number | null): void => {
    ws();
    const from = i;
    const c = text[i];
    if (c === '{') {
      i += 1;
      ws();
      while (i < text.length && text[i] !== '}') {
        ws();
        if (text[i] !== '"') return;
        const kFrom = i;
        const key = str();
        ws();
        if (text[i] !== ':') return;
        i += 1;
        value(path ? `${path}.${key}` : key, kFrom);
        ws();
        if (text[i] === ',') i += 1;
        ws();
      }
      i += 1;
    } else if (c === '[') {
      i += 1;
      let n = 0;
      ws();
      while (i < text.length && text[i] !== ']') {
        value(path ? `${path}.${n}` : String(n), null);
        n += 1;
        ws();
        if (text[i] === ',') i += 1;
        ws();
      }
      i += 1;
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,}\]]/.test(text[i])) i += 1;
    }
    if (i === from) i += 1;
    spans.set(path, { from: keyFrom ?? from, to: i });
  };
  try { value('', null); } catch { /* a partial map is still useful */ }
  return spans;
}

/** The span of the path, or of its nearest ancestor that exists in the text. */
export function spanFor(spans: Map<string, Span>, path: string): Span | null {
  let p = path;
  for (;;) {
    const s = spans.get(p);
    if (s) return s;
    if (!p) return null;
    p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '';
  }
}
