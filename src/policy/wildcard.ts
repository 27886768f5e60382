/**
 * `*` wildcard match (Rego's glob.match without delimiters) in O(len(pattern) × len(text)) worst case,
 * without a regex: model and endpoint patterns are admin-supplied, and a RegExp built from `a*a*a*…`
 * would backtrack polynomially. Used by key allowlists (src/proxy) and the organisation-constraint checks.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
