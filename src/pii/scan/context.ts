/** Context words: a nearby keyword ("ssn", "IBAN", "Telefon") raises a candidate's score. */

/** Builds a case-insensitive, unicode-aware matcher for any of the words (escaped, not regex syntax). */
export function contextMatcher(words: readonly string[]): RegExp {
  // ASCII-letter edges get word boundaries (`sin` must not match inside `using`); CJK words match anywhere.
  const parts = words.map((w) => {
    const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const head = /^[A-Za-z]/.test(w) ? '(?<![A-Za-z])' : '';
    const tail = /[A-Za-z]$/.test(w) ? '(?![A-Za-z])' : '';
    return head + escaped + tail;
  });
  return new RegExp(`(?:${parts.join('|')})`, 'iu');
}

/** True when a context word occurs within `before` chars before the span or `after` chars after it. */
export function hasContext(
  text: string,
  start: number,
  end: number,
  matcher: RegExp,
  before = 64,
  after = 24,
): boolean {
  const from = start > before ? start - before : 0;
  if (matcher.test(text.slice(from, start))) return true;
  if (after <= 0) return false;
  // Words after the span count only up to the next clause break, so the label of the next item is not ours.
  const tail = text.slice(end, end + after);
  const cut = tail.search(/[,;\n0-9]/);
  return matcher.test(cut >= 0 ? tail.slice(0, cut) : tail);
}
