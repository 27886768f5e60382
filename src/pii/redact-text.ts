/** One text in, transformed text out: the convenience most callers (CLI, logs) need. */
import { applyPiiActions, type OperatorOptions, type TransformResult } from './operators/apply';
import type { PiiActionMap, PiiScanner } from './types';

export function redactText(
  scanner: PiiScanner,
  text: string,
  actions: PiiActionMap = { '*': 'redact' },
  options: OperatorOptions = {},
): TransformResult {
  return applyPiiActions(text, scanner.scan(text), actions, options);
}
