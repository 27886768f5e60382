/**
 * One real request per target and mode before anything is measured: a benchmark of error responses would be
 * meaningless, so the answer must be a complete chat completion (or a complete stream) from the mock.
 */
import { request } from 'undici';
import type { Target } from './load';

const DONE = 'data: [DONE]\n\n';

/** Cheap check used on every paced answer. */
export const looksComplete = (stream: boolean) => (body: string): boolean =>
  stream ? body.endsWith(DONE) : body.includes('"choices"');

export async function checkTarget(name: string, target: Target, stream: boolean): Promise<void> {
  const res = await request(target.origin + target.path, {
    method: 'POST', headers: { ...target.headers, 'content-type': 'application/json' }, body: target.body,
    headersTimeout: 10_000, bodyTimeout: 10_000,
  });
  const text = await res.body.text();
  const fail = (why: string): never => {
    throw new Error(`${name} (${stream ? 'streaming' : 'non-streaming'}) is not answering correctly: ${why}; HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  };
  if (res.statusCode !== 200) fail('expected HTTP 200');
  if (!stream) {
    let body: { choices?: Array<{ message?: { content?: unknown } }>; usage?: { total_tokens?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return fail('the body is not JSON');
    }
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string' || content.length === 0) fail('no assistant text');
    if (typeof body.usage?.total_tokens !== 'number') fail('no usage');
    return;
  }
  if (!String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) fail('not an event stream');
  if (!text.endsWith(DONE)) fail('the stream does not end with [DONE]');
  const frames = text.split('\n\n').filter((f) => f.startsWith('data: {'));
  if (frames.length < 3) fail(`only ${frames.length} chunks`);
  for (const frame of frames) JSON.parse(frame.slice(6));
}
