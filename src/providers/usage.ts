import type { Usage } from './types';

/**
 * Normalises an OpenAI-format usage object from any OpenAI-compatible server: fills `total_tokens`, maps
 * DeepSeek's `prompt_cache_hit_tokens` to `prompt_tokens_details.cached_tokens`. Returns undefined for junk.
 */
export function normaliseOpenAIUsage(raw: unknown): Usage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const u = raw as Usage & { prompt_cache_hit_tokens?: unknown };
  if (typeof u.prompt_tokens !== 'number') return undefined;
  if (typeof u.completion_tokens !== 'number') u.completion_tokens = 0;
  if (typeof u.total_tokens !== 'number') u.total_tokens = u.prompt_tokens + u.completion_tokens;
  if (typeof u.prompt_cache_hit_tokens === 'number' && u.prompt_tokens_details?.cached_tokens === undefined) {
    u.prompt_tokens_details = { ...u.prompt_tokens_details, cached_tokens: u.prompt_cache_hit_tokens };
  }
  return u;
}
