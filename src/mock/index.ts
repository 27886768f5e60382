/**
 * Mock LLM provider for tests, the demo and benchmarks: a real HTTP server speaking OpenAI, Azure OpenAI, Anthropic
 * and Gemini, deterministic (model `demo-echo` answers with the text it received, `demo-chat` with a canned text),
 * with realistic token usage, the last 100 requests at `GET /__mock/requests`, and fault injection per base path
 * (`/fail500`, `/fault/status=429,retry-after=2`, `POST /__mock/faults`) or per request (`x-mock-fault`).
 */
export { startMockProvider, type MockProvider, type MockProviderOptions, type MockProviderStats } from './server';
export { parseFaultSpec, parseFaultMap, type FaultSpec, type FaultMap } from './faults';
export type { RecordedRequest, RequestOutcome } from './recorder';
export { CANNED_TEXT, MOCK_MODELS } from './content';
