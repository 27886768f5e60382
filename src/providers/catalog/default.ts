/**
 * The default provider catalog: the major providers' public endpoints and models with list prices (USD per 1M
 * tokens: input / cached input / output) and governance attributes as publicly documented by each provider for its
 * standard API terms (2025). Anything not documented clearly is `null` (unknown), which policies must never read
 * as compliant. Prices and terms change: admins edit the catalog in the database; this is only the seed.
 */

import type { CatalogEndpointSpec, CatalogModelSpec, Governance } from '../../catalog';

function chat(model: string, input: number | null, cached: number | null, output: number | null, contextTokens: number | null, maxOutputTokens: number | null, upstreamModel?: string): CatalogModelSpec {
  return {
    model,
    ...(upstreamModel ? { upstreamModel } : {}),
    kind: 'chat',
    pricing: { inputPerMTok: input, cachedInputPerMTok: cached, outputPerMTok: output },
    contextTokens,
    maxOutputTokens,
  };
}

function embed(model: string, input: number | null, contextTokens: number | null): CatalogModelSpec {
  return { model, kind: 'embeddings', pricing: { inputPerMTok: input, cachedInputPerMTok: null, outputPerMTok: 0 }, contextTokens, maxOutputTokens: null };
}

const UNKNOWN: Governance = {
  jurisdiction: null,
  dataRegions: null,
  zeroDataRetention: null,
  trainsOnData: null,
  retentionDays: null,
  certifications: null,
};

const DEFAULT_ENDPOINTS: readonly CatalogEndpointSpec[] = [
  {
    id: 'openai',
    provider: 'openai',
    displayName: 'OpenAI API',
    baseUrl: 'https://api.openai.com/v1',
    credentialsRef: 'env:OPENAI_API_KEY',
    // API data is not used for training by default; abuse-monitoring logs are kept up to 30 days unless the
    // organisation has an approved zero-data-retention arrangement.
    governance: { jurisdiction: 'US', dataRegions: ['US'], zeroDataRetention: false, trainsOnData: false, retentionDays: 30, certifications: ['SOC 2 Type 2'] },
    priority: 100,
    models: [
      chat('gpt-5', 1.25, 0.125, 10, 400_000, 128_000),
      chat('gpt-5-mini', 0.25, 0.025, 2, 400_000, 128_000),
      chat('gpt-5-nano', 0.05, 0.005, 0.4, 400_000, 128_000),
      chat('gpt-4.1', 2, 0.5, 8, 1_047_576, 32_768),
      chat('gpt-4.1-mini', 0.4, 0.1, 1.6, 1_047_576, 32_768),
      chat('gpt-4.1-nano', 0.1, 0.025, 0.4, 1_047_576, 32_768),
      chat('gpt-4o', 2.5, 1.25, 10, 128_000, 16_384),
      chat('gpt-4o-mini', 0.15, 0.075, 0.6, 128_000, 16_384),
      chat('o3', 2, 0.5, 8, 200_000, 100_000),
      chat('o4-mini', 1.1, 0.275, 4.4, 200_000, 100_000),
      embed('text-embedding-3-small', 0.02, 8191),
      embed('text-embedding-3-large', 0.13, 8191),
      embed('text-embedding-ada-002', 0.1, 8191),
    ],
  },
  {
    id: 'anthropic',
    provider: 'anthropic',
    displayName: 'Anthropic API',
    baseUrl: 'https://api.anthropic.com/v1',
    credentialsRef: 'env:ANTHROPIC_API_KEY',
    // Commercial API inputs are not used for training. The log retention period changed during 2025: left unknown.
    governance: { jurisdiction: 'US', dataRegions: ['US'], zeroDataRetention: false, trainsOnData: false, retentionDays: null, certifications: ['SOC 2 Type 2', 'ISO 27001', 'ISO 42001'] },
    priority: 100,
    models: [
      // Cached input = prompt-cache read price (cache writes cost 1.25× input and are not modelled here).
      chat('claude-opus-4-1', 15, 1.5, 75, 200_000, 32_000, 'claude-opus-4-1-20250805'),
      chat('claude-sonnet-4-5', 3, 0.3, 15, 200_000, 64_000, 'claude-sonnet-4-5-20250929'),
      chat('claude-sonnet-4', 3, 0.3, 15, 200_000, 64_000, 'claude-sonnet-4-20250514'),
      chat('claude-haiku-4-5', 1, 0.1, 5, 200_000, 64_000, 'claude-haiku-4-5-20251001'),
      chat('claude-3-5-haiku', 0.8, 0.08, 4, 200_000, 8_192, 'claude-3-5-haiku-20241022'),
    ],
  },
  {
    id: 'gemini',
    provider: 'gemini',
    displayName: 'Google Gemini API (paid tier)',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    credentialsRef: 'env:GEMINI_API_KEY',
    // Paid-tier prompts are not used to improve Google products; they are logged for a limited period for abuse
    // monitoring (55 days per the Gemini API terms). The free tier differs (it may train): do not use it here.
    governance: { jurisdiction: 'US', dataRegions: null, zeroDataRetention: false, trainsOnData: false, retentionDays: 55, certifications: null },
    priority: 100,
    models: [
      // Prices for prompts up to 200k tokens (longer prompts cost more on 2.5 Pro).
      chat('gemini-2.5-pro', 1.25, 0.31, 10, 1_048_576, 65_536),
      chat('gemini-2.5-flash', 0.3, 0.075, 2.5, 1_048_576, 65_536),
      chat('gemini-2.5-flash-lite', 0.1, 0.025, 0.4, 1_048_576, 65_536),
      embed('gemini-embedding-001', 0.15, 2048),
    ],
  },
  {
    id: 'azure-openai-swedencentral',
    provider: 'azure_openai',
    displayName: 'Azure OpenAI (Sweden Central, EU data zone) — example, set your resource URL',
    baseUrl: 'https://YOUR-RESOURCE.openai.azure.com',
    credentialsRef: 'env:AZURE_OPENAI_API_KEY',
    azureApiVersion: '2024-10-21',
    // Microsoft does not train on customer prompts; abuse monitoring may store prompts up to 30 days unless
    // modified abuse monitoring is approved. EU Data Zone deployments keep processing inside the EU.
    governance: { jurisdiction: 'US', dataRegions: ['EU'], zeroDataRetention: false, trainsOnData: false, retentionDays: 30, certifications: ['SOC 2 Type 2', 'ISO 27001', 'ISO 27017', 'ISO 27018'] },
    priority: 100,
    // Disabled until an operator points it at a real resource and deployments.
    enabled: false,
    models: [
      // Data Zone Standard list prices (global deployment prices +10%); the model name is the deployment name.
      chat('gpt-4o', 2.75, 1.375, 11, 128_000, 16_384),
      chat('gpt-4o-mini', 0.165, 0.083, 0.66, 128_000, 16_384),
      embed('text-embedding-3-small', 0.022, 8191),
    ],
  },
  {
    id: 'mistral-eu',
    provider: 'openai_compatible',
    displayName: 'Mistral AI La Plateforme (EU)',
    baseUrl: 'https://api.mistral.ai/v1',
    credentialsRef: 'env:MISTRAL_API_KEY',
    // French operator hosting in the EU; paid API data is not used for training; kept 30 days for abuse monitoring.
    governance: { jurisdiction: 'FR', dataRegions: ['EU'], zeroDataRetention: false, trainsOnData: false, retentionDays: 30, certifications: null },
    priority: 100,
    models: [
      chat('mistral-large-latest', 2, null, 6, 128_000, null),
      chat('mistral-medium-latest', 0.4, null, 2, 128_000, null),
      chat('mistral-small-latest', 0.1, null, 0.3, 128_000, null),
      chat('codestral-latest', 0.3, null, 0.9, 256_000, null),
      embed('mistral-embed', 0.1, 8192),
    ],
  },
  {
    id: 'deepseek',
    provider: 'openai_compatible',
    displayName: 'DeepSeek API (China)',
    baseUrl: 'https://api.deepseek.com/v1',
    credentialsRef: 'env:DEEPSEEK_API_KEY',
    // Operated and hosted in the PRC. Training use, retention and certifications are not documented to the
    // standard the other providers meet: unknown.
    governance: { ...UNKNOWN, jurisdiction: 'CN', dataRegions: ['CN'] },
    priority: 100,
    models: [
      // V3.2 prices; cached input = cache-hit price.
      chat('deepseek-chat', 0.28, 0.028, 0.42, 128_000, 8_192),
      chat('deepseek-reasoner', 0.28, 0.028, 0.42, 128_000, 64_000),
    ],
  },
  {
    id: 'groq',
    provider: 'openai_compatible',
    displayName: 'Groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    credentialsRef: 'env:GROQ_API_KEY',
    governance: { ...UNKNOWN, jurisdiction: 'US', dataRegions: ['US'], trainsOnData: false },
    priority: 100,
    models: [
      chat('llama-3.3-70b-versatile', 0.59, null, 0.79, 131_072, 32_768),
      chat('llama-3.1-8b-instant', 0.05, null, 0.08, 131_072, 131_072),
      chat('openai/gpt-oss-120b', 0.15, null, 0.75, 131_072, 65_536),
    ],
  },
  {
    id: 'together',
    provider: 'openai_compatible',
    displayName: 'Together AI',
    baseUrl: 'https://api.together.xyz/v1',
    credentialsRef: 'env:TOGETHER_API_KEY',
    governance: { ...UNKNOWN, jurisdiction: 'US', dataRegions: ['US'] },
    priority: 100,
    models: [
      chat('meta-llama/Llama-3.3-70B-Instruct-Turbo', 0.88, null, 0.88, 131_072, null),
      chat('deepseek-ai/DeepSeek-V3', 1.25, null, 1.25, 131_072, null),
    ],
  },
  {
    id: 'local-ollama',
    provider: 'openai_compatible',
    displayName: 'Local Ollama (self-hosted)',
    baseUrl: 'http://127.0.0.1:11434/v1',
    credentialsRef: null,
    // Runs on the operator's own machines: nothing leaves them and nothing is stored or trained on. Jurisdiction
    // and region are wherever the operator runs it, so they stay unknown until the operator sets them.
    governance: { jurisdiction: null, dataRegions: null, zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: null },
    priority: 200,
    enabled: false,
    models: [chat('llama3.1:8b', 0, 0, 0, 131_072, null), embed('nomic-embed-text', 0, 8192)],
  },
  {
    id: 'local-vllm',
    provider: 'openai_compatible',
    displayName: 'Local vLLM (self-hosted)',
    baseUrl: 'http://127.0.0.1:8000/v1',
    credentialsRef: 'env:VLLM_API_KEY',
    governance: { jurisdiction: null, dataRegions: null, zeroDataRetention: true, trainsOnData: false, retentionDays: 0, certifications: null },
    priority: 200,
    enabled: false,
    models: [chat('meta-llama/Llama-3.1-8B-Instruct', 0, 0, 0, 131_072, null)],
  },
];

/** A fresh copy of the default catalog (callers may modify it). */
export function defaultCatalogSpecs(): CatalogEndpointSpec[] {
  return structuredClone(DEFAULT_ENDPOINTS) as CatalogEndpointSpec[];
}
