import type { ChatChunk, ChatRequest, ChatResponse } from '../providers';
import { OpenAIChatStreamTransformer, transformBody, type PiiActionMap } from '../pii';
import type { Exchange } from './exchange';
import { answerNeedsTransform, type GovernanceServices, type Governed } from './governance';

/** Applies output PII actions to a complete answer and restores tokenized values. */
export function transformChatAnswer(ex: Exchange, gov: GovernanceServices, g: Governed<ChatRequest>, response: ChatResponse): ChatResponse {
  if (!answerNeedsTransform(g)) return response;
  const result = transformBody('openai.chat.response', response, gov.piiScanner, g.decision.outputPiiActions as PiiActionMap,
    { vault: g.vault, hashKey: g.hashKey });
  ex.outputPiiSummary = result.summary;
  return result.body as ChatResponse;
}

/**
 * A per-stream transformer of canonical chunks (before any translation to Anthropic events):
 * holds back only what could still be an entity or a split placeholder. Null when the answer
 * needs no transformation, so plain streams pay nothing.
 */
export class ChunkTransformer {
  private readonly inner: OpenAIChatStreamTransformer;
  private template: ChatChunk | null = null;

  constructor(gov: GovernanceServices, g: Governed<ChatRequest>) {
    this.inner = new OpenAIChatStreamTransformer({
      scanner: gov.piiScanner, actions: g.decision.outputPiiActions as PiiActionMap, operators: { vault: g.vault, hashKey: g.hashKey },
    });
  }

  static for(gov: GovernanceServices, g: Governed<ChatRequest>): ChunkTransformer | null {
    return answerNeedsTransform(g) ? new ChunkTransformer(gov, g) : null;
  }

  push(chunk: ChatChunk): ChatChunk {
    if (!this.template) this.template = chunk;
    return this.inner.transformChunk(chunk) as ChatChunk;
  }

  /** Whatever is still held when the stream ends without a finish reason. */
  flush(): ChatChunk[] {
    const t = this.template;
    return this.inner.flush(t ? { id: t.id, created: t.created, model: t.model } : {}) as ChatChunk[];
  }

  get summary(): Record<string, number> {
    return this.inner.summary;
  }
}
