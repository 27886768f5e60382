/**
 * The benchmark's request: a realistic ~1 KB OpenAI chat request to `demo-chat` (system prompt, a short earlier
 * exchange, a question and the usual sampling parameters). The same bytes go to the mock and to the gateway.
 */

const SYSTEM_PROMPT =
  'You are a support assistant for Northwind Logistics. Answer questions about shipments, invoices and delivery ' +
  'windows. Be concise and factual, cite the order number you are talking about, and never invent tracking data. ' +
  'If a question needs a human (refunds above 500 EUR, damaged goods, legal complaints), say so and offer to open ' +
  'a ticket instead of answering.';

const EARLIER_QUESTION =
  'Hi, I placed order NW-448213 last Tuesday for two pallets of packaging material. The confirmation said delivery ' +
  'within five working days but the tracking page has not changed since Thursday.';

const EARLIER_ANSWER =
  'Thanks for reaching out. Order NW-448213 left our Rotterdam hub on Thursday and is currently with the regional ' +
  'carrier. Regional legs usually take one to two working days before the tracking page updates again.';

const QUESTION =
  'Okay, thanks. Can the carrier deliver to our loading dock at the back of the building instead of the front ' +
  'entrance? And is it possible to get a delivery window in the morning, ideally before 11:00, because the dock ' +
  'is closed in the afternoons this week?';

export interface BenchPayload {
  /** The request body, serialised once. */
  body: string;
  bytes: number;
  stream: boolean;
}

export function chatPayload(stream: boolean): BenchPayload {
  const request: Record<string, unknown> = {
    model: 'demo-chat',
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: EARLIER_QUESTION },
      { role: 'assistant', content: EARLIER_ANSWER },
      { role: 'user', content: QUESTION },
    ],
    temperature: 0.2,
    max_tokens: 256,
    user: 'bench-user-17',
  };
  if (stream) request.stream = true;
  const body = JSON.stringify(request);
  return { body, bytes: Buffer.byteLength(body), stream };
}
