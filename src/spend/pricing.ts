import type { ModelPricing } from '../catalog';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Part of promptTokens served from the provider's cache (billed at the cached-input price). */
  cachedTokens: number;
}

/**
 * USD cost of one call. Cached input falls back to the full input price when the catalog
 * has no cached price (over-estimating is the safe side for budgets); an unknown price costs 0
 * and is visible as such in the catalog.
 */
export function costUsd(pricing: ModelPricing, usage: TokenUsage): number {
  const input = pricing.inputPerMTok ?? 0;
  const cached = pricing.cachedInputPerMTok ?? input;
  const output = pricing.outputPerMTok ?? 0;
  const uncached = Math.max(0, usage.promptTokens - usage.cachedTokens);
  return (uncached * input + usage.cachedTokens * cached + usage.completionTokens * output) / 1_000_000;
}
