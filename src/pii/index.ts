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
