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

// The customer's earlier ticket, quoted into the conversation: it carries an e-mail address and a phone number
// (which the demo policy tokenizes), so a governed run does real PII work on every request.
const QUOTED_TICKET =
  'For reference, here is the ticket I opened on Friday (#T-90211): "Our receiving team at the Eindhoven ' +
  'warehouse expects two pallets of corrugated boxes and stretch film under order NW-448213. Please make sure the ' +
  'driver calls ahead so someone can open the dock gate; the gate stays locked outside receiving hours and the ' +
  'driver cannot reach the office from the street. The forklift is only available until noon on weekdays. If the ' +
  'delivery has to move, send the new window to our logistics coordinator, Marieke van Dijk, at ' +
  'marieke.vandijk@example-retail.nl, or call her on +31 20 794 5521. Invoices for this order should go to the ' +
  'accounts payable mailbox as usual, referencing purchase order PO-2024-3318 and cost centre 4410. Last month a ' +
  'similar delivery was left at the front entrance over a weekend and two cartons were soaked by the rain, so we ' +
  'would rather reschedule than have the pallets left outside again." Nothing has ' +
  'happened since then, and nobody called us back to confirm anything.';

/**
 * The same conversation with a quoted ticket added, so the prompt text is about 2 KB (the size the comparison
 * with other gateways uses for "a PII scan of a 2 KB prompt").
 */
export function governedChatPayload(stream: boolean): BenchPayload & { promptBytes: number } {
  const request: Record<string, unknown> = {
    model: 'demo-chat',
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: EARLIER_QUESTION },
      { role: 'assistant', content: EARLIER_ANSWER },
      { role: 'user', content: `${QUOTED_TICKET}\n\n${QUESTION}` },
    ],
    temperature: 0.2,
    max_tokens: 256,
    user: 'bench-user-17',
  };
  if (stream) request.stream = true;
  const body = JSON.stringify(request);
  const promptBytes = (request.messages as Array<{ content: string }>).reduce((n, m) => n + Buffer.byteLength(m.content), 0);
  return { body, bytes: Buffer.byteLength(body), stream, promptBytes };
}
