/** Context words: a nearby keyword ("ssn", "IBAN", "Telefon") raises a candidate's score. */

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A case-insensitive matcher for a list of words (escaped, not regex syntax). A word that starts (ends) with an
 * ASCII letter must not be glued to a letter on that side (`sin` does not match inside `using`); CJK words match
 * anywhere. The regex is a plain alternation and the word edges are checked on each match: lookbehinds and the
 * `u` flag in every alternative made V8 several times slower on the short windows this runs on.
 */
export class WordMatcher {
  private readonly re: RegExp;

  constructor(words: readonly string[]) {
    const unique = [...new Set(words.map((w) => w.toLowerCase()))].filter((w) => w.length > 0);
    if (unique.length === 0) throw new Error('WordMatcher needs at least one word');
    // Longest first, so `kreditkarte` is tried before `karte` at the same position.
    unique.sort((a, b) => b.length - a.length);
    this.re = new RegExp(unique.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  }

  /** Calls `onWord` with each word (as written, and its end in `s`) found in `s`, edges respected; stops when it returns true. */
  each(s: string, onWord: (word: string, end: number) => boolean | void): boolean {
    const re = this.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      const w = m[0];
      const start = m.index;
      const end = start + w.length;
      const headOk = !isAsciiLetter(w.charCodeAt(0)) || start === 0 || !isLetter(s.charCodeAt(start - 1));
      const tailOk = !isAsciiLetter(w.charCodeAt(w.length - 1)) || end >= s.length || !isLetter(s.charCodeAt(end));
      if (headOk && tailOk && onWord(w, end) === true) return true;
      re.lastIndex = start + 1;
    }
    return false;
  }

  test(s: string): boolean {
    return this.each(s, () => true);
  }
}

export function contextMatcher(words: readonly string[]): WordMatcher {
  return new WordMatcher(words);
}

/** True when a context word occurs within `before` chars before the span or `after` chars after it. */
export function hasContext(
  text: string,
  start: number,
  end: number,
  matcher: WordMatcher,
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
