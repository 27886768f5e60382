import { AnthropicAdapter } from './anthropic/adapter';
import { GeminiAdapter } from './gemini/adapter';
import { AZURE_DIALECT, OPENAI_COMPATIBLE_DIALECT, OPENAI_DIALECT, OpenAIAdapter } from './openai/adapter';
import type { ProviderAdapter, ProviderKind } from './types';

/** Adapters are stateless (connection pools live in http/pool), so one instance per provider kind serves all. */
const adapters: Record<ProviderKind, ProviderAdapter> = {
  openai: new OpenAIAdapter(OPENAI_DIALECT),
  openai_compatible: new OpenAIAdapter(OPENAI_COMPATIBLE_DIALECT),
  azure_openai: new OpenAIAdapter(AZURE_DIALECT),
  anthropic: new AnthropicAdapter(),
  gemini: new GeminiAdapter(),
};

export function getAdapter(kind: ProviderKind): ProviderAdapter {
  const adapter = adapters[kind];
  if (!adapter) throw new TypeError(`unknown provider kind '${String(kind)}'`);
  return adapter;
}
