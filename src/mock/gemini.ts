/** Google Gemini wire format for the mock: generateContent, streamGenerateContent (alt=sse), batchEmbedContents. */

import type { ServerResponse } from 'node:http';
import { answer, DEFAULT_EMBEDDING_DIMS, embeddingFor, promptTokens, type MockTool, type MockTurn } from './content';
import type { FaultSpec } from './faults';
import type { RecordedRequest } from './recorder';
import { sendError, sendJsonWithFault, sendStream, sseFrame } from './respond';

type Obj = Record<string, unknown>;

function partText(p: Obj): string {
  if (typeof p.text === 'string') return p.text;
  const fc = p.functionCall as Obj | undefined;
  if (fc) return `[tool call ${String(fc.name)} ${JSON.stringify(fc.args ?? {})}]`;
  const fr = p.functionResponse as Obj | undefined;
  if (fr) return JSON.stringify(fr.response ?? {});
  return '';
}

function geminiTurn(model: string, body: Obj): MockTurn | { error: string } {
  if (!Array.isArray(body.contents) || body.contents.length === 0) return { error: '* GenerateContentRequest.contents: contents is not specified' };
  const texts: string[] = [];
  const sys = body.systemInstruction as { parts?: Obj[] } | undefined;
  if (sys?.parts) texts.push(sys.parts.map(partText).join(''));
  let lastUserText = '';
  let lastToolResult: string | null = null;
  for (const c of body.contents as Array<{ role?: string; parts?: Obj[] }>) {
    const parts = Array.isArray(c.parts) ? c.parts : [];
    const text = parts.map(partText).join('');
    texts.push(text);
    const isToolResult = parts.length > 0 && parts.every((p) => p.functionResponse !== undefined);
    lastToolResult = isToolResult ? text : null;
    if (c.role !== 'model' && !isToolResult) lastUserText = text;
  }
  const tools: MockTool[] = [];
  for (const t of (body.tools as Array<{ functionDeclarations?: Obj[] }> | undefined) ?? []) {
    for (const d of t.functionDeclarations ?? []) if (typeof d.name === 'string') tools.push({ name: d.name, parameters: d.parameters });
  }
  const fcc = (body.toolConfig as { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } } | undefined)?.functionCallingConfig;
  const toolChoice = fcc?.mode === 'NONE' ? 'none' : fcc?.mode === 'ANY' ? (fcc.allowedFunctionNames?.length === 1 ? { name: fcc.allowedFunctionNames[0]! } : 'any') : null;
  const max = (body.generationConfig as { maxOutputTokens?: unknown } | undefined)?.maxOutputTokens;
  return { model, texts, messageCount: texts.length, lastUserText, lastToolResult, tools, toolChoice, maxTokens: typeof max === 'number' && max > 0 ? max : null };
}

/** `model` is the name from the path (`models/<model>:method`). */
export async function geminiGenerate(res: ServerResponse, model: string, stream: boolean, body: Obj, fault: FaultSpec | null, rec: RecordedRequest): Promise<void> {
  const turn = geminiTurn(model, body);
  if ('error' in turn) return sendError(res, 'gemini', 400, turn.error);
  const a = answer(turn);
  const prompt = promptTokens(turn);
  const usageMetadata = { promptTokenCount: prompt, candidatesTokenCount: a.completionTokens, totalTokenCount: prompt + a.completionTokens };
  const finishReason = a.kind === 'text' && a.finish === 'length' ? 'MAX_TOKENS' : 'STOP';
  const responseId = `mock-${rec.seq}`;
  if (!stream) {
    const parts = a.kind === 'text' ? [{ text: a.text }] : [{ functionCall: { name: a.name, args: JSON.parse(a.args) as unknown } }];
    return sendJsonWithFault(res, { candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }], usageMetadata, modelVersion: model, responseId }, fault, rec);
  }
  const frames: string[] = [];
  const frame = (obj: unknown): string => sseFrame(JSON.stringify(obj)).replace(/\n\n$/, '\r\n\r\n');
  if (a.kind === 'text') {
    const pieces = a.pieces;
    for (let i = 0; i < pieces.length; i++) {
      const last = i === pieces.length - 1;
      frames.push(frame({
        candidates: [{ content: { parts: [{ text: pieces[i] }], role: 'model' }, index: 0, ...(last ? { finishReason } : {}) }],
        usageMetadata: last ? usageMetadata : { promptTokenCount: prompt, totalTokenCount: prompt },
        modelVersion: model, responseId,
      }));
    }
  } else {
    frames.push(frame({ candidates: [{ content: { parts: [{ functionCall: { name: a.name, args: JSON.parse(a.args) as unknown } }], role: 'model' }, finishReason, index: 0 }], usageMetadata, modelVersion: model, responseId }));
  }
  return sendStream(res, frames, fault, rec);
}

export function geminiBatchEmbed(res: ServerResponse, body: Obj, fault: FaultSpec | null, rec: RecordedRequest): void {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) return sendError(res, 'gemini', 400, '* BatchEmbedContentsRequest.requests: requests is not specified');
  const embeddings = (requests as Array<{ content?: { parts?: Obj[] }; outputDimensionality?: number }>).map((r) => {
    const text = (r.content?.parts ?? []).map(partText).join('');
    const dims = typeof r.outputDimensionality === 'number' && r.outputDimensionality > 0 ? Math.min(r.outputDimensionality, 4096) : DEFAULT_EMBEDDING_DIMS;
    return { values: embeddingFor(text, dims) };
  });
  sendJsonWithFault(res, { embeddings }, fault, rec);
}
