import { countTokens } from 'gpt-tokenizer';

/**
 * Token count of a text with the o200k tokenizer (OpenAI's current models). For other model
 * families it is an approximation within a few percent for Latin text, used only where a
 * provider reports no usage (a cut or aborted stream).
 */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
}
