/**
 * Per-request token vault for the `tokenize` operator: `<EMAIL_ADDRESS_1>` stands for the first distinct email
 * of the request (the same value always gets the same placeholder), and `restore` puts originals back into the
 * answer. Never persisted; drop it with the request.
 */
const PLACEHOLDER = /<([A-Z][A-Z0-9_]{0,63}_[0-9]{1,6})>/g;

export class TokenVault {
  private readonly byPlaceholder = new Map<string, string>();
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private longest = 0;

  /** Placeholder for `value` of entity `type`, allocating `<TYPE_n>` on first sight. */
  tokenize(type: string, value: string): string {
    const key = type + '\u0000' + value;
    const known = this.byValue.get(key);
    if (known) return known;
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    const placeholder = `<${type}_${n}>`;
    this.byValue.set(key, placeholder);
    this.byPlaceholder.set(placeholder.slice(1, -1), value);
    if (placeholder.length > this.longest) this.longest = placeholder.length;
    return placeholder;
  }

  /** Original value for a placeholder (with or without angle brackets). */
  lookup(placeholder: string): string | undefined {
    const bare = placeholder.startsWith('<') && placeholder.endsWith('>') ? placeholder.slice(1, -1) : placeholder;
    return this.byPlaceholder.get(bare);
  }

  /**
   * Replaces every placeholder this vault issued; unknown ones are left as they are. `encode` escapes originals
   * for the surrounding syntax (e.g. inside raw JSON text).
   */
  restore(text: string, encode?: (original: string) => string): string {
    if (this.byPlaceholder.size === 0 || text.indexOf('<') < 0) return text;
    return text.replace(PLACEHOLDER, (whole, inner: string) => {
      const original = this.byPlaceholder.get(inner);
      if (original === undefined) return whole;
      return encode ? encode(original) : original;
    });
  }

  get size(): number {
    return this.byPlaceholder.size;
  }

  /** Length of the longest placeholder issued (stream restoring holds back at most this many characters). */
  get maxPlaceholderLength(): number {
    return this.longest;
  }
}
