/**
 * PII and secrets engine: validated recognizers (one pass with a combined prefilter), operators
 * (redact/mask/hash/tokenize/block/allow), request/answer body scanning for OpenAI and Anthropic wire shapes,
 * and a stream scanner for SSE answers. See README.md in this folder.
 */
export type {
  PiiFinding,
  PiiScannerOptions,
  PiiScanner,
  CustomRecognizerSpec,
  ValidatorName,
  PiiAction,
  PiiActionMap,
} from './types';
export { PII_ENTITY_TYPES, SECRET_ENTITY_TYPES } from './entities';
export { createPiiScanner, PiiConfigError } from './scanner';

// Operators and the per-request vault.
export {
  applyPiiActions, validateActionMap, actionFor, replacementFor, PII_ACTIONS, PiiActionError,
} from './operators/apply';
export type { OperatorOptions, AppliedFinding, TransformResult } from './operators/apply';
export { TokenVault } from './operators/vault';

// Request/response bodies (OpenAI chat + embeddings, Anthropic messages).
export { scanBody, applyToBody, transformBody } from './bodies/body-scan';
export type { ScannedBody, BodyTransformResult } from './bodies/body-scan';
export { BODY_SHAPES } from './bodies/shapes';
export type { BodyShape } from './bodies/shapes';

// Streaming answers.
export { PiiStreamScanner } from './stream/stream-scanner';
export type { StreamScannerOptions } from './stream/stream-scanner';
export { OpenAIChatStreamTransformer, AnthropicStreamTransformer } from './stream/adapters';
export type { StreamTransformOptions } from './stream/adapters';

// Validators, for custom recognizers and other modules.
export { VALIDATOR_NAMES } from './validators/registry';

/** Scan and apply an action map to one text: `{text, findings, blocked}`. */
export { redactText } from './redact-text';
