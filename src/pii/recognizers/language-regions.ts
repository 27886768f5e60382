/**
 * Phone region hints from the language around a number, so `030 12345678` in German text is tried as a German
 * national number. Only the few hundred characters around the candidate are looked at (bounded cost): one pass
 * over the code units for scripts, one regex pass for the function words of the Latin-script languages.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { WordMatcher } from '../scan/context';

const SCRIPTS: ReadonlyArray<[number, number, CountryCode]> = [
  [0x3040, 0x30ff, 'JP'], // hiragana, katakana
  [0xac00, 0xd7af, 'KR'],
  [0x0400, 0x04ff, 'RU'],
  [0x0900, 0x097f, 'IN'],
  [0x0e00, 0x0e7f, 'TH'],
  [0x0370, 0x03ff, 'GR'],
];
const CJK_REGIONS: readonly CountryCode[] = ['JP', 'CN', 'TW', 'HK'];

const WORD_HINTS: ReadonlyArray<[readonly string[], readonly CountryCode[]]> = [
  [['und', 'der', 'die', 'das', 'nicht', 'ist', 'mit', 'bitte', 'ich', 'sie', 'ihre', 'unter', 'erreichen', 'vielen',
    'dank', 'auch', 'wir', 'den', 'dem', 'eine', 'für', 'auf', 'noch', 'oder', 'wie', 'meine', 'mein', 'ihr'], ['DE', 'AT', 'CH']],
  [['le', 'la', 'les', 'et', 'est', 'vous', 'pour', 'nous', 'je', 'merci', 'au', 'votre', 'bonjour', 'des', 'une',
    'avec', 'dans', 'pas', 'sur', 'mon', 'ma', 'mes', 'qui'], ['FR', 'BE', 'CH']],
  [['el', 'los', 'las', 'y', 'es', 'para', 'usted', 'por', 'gracias', 'hola', 'su', 'mi', 'llame', 'del', 'con', 'una',
    'favor', 'pero', 'también', 'muy', 'está', 'cuando', 'nuestro', 'nuestra', 'se'], ['ES', 'MX']],
  [['il', 'che', 'della', 'per', 'sono', 'grazie', 'ciao', 'chiamare', 'numero', 'non', 'anche', 'questo', 'mio',
    'mia', 'gli', 'nel', 'alla', 'delle', 'una', 'con'], ['IT']],
  [['het', 'een', 'niet', 'voor', 'bedankt', 'bellen', 'jij', 'u', 'met', 'ik', 'zijn', 'dat', 'wij', 'ook', 'graag'], ['NL', 'BE']],
  [['não', 'obrigado', 'obrigada', 'você', 'para', 'com', 'uma', 'muito', 'também', 'favor', 'meu', 'minha', 'se'], ['PT', 'BR']],
];

/** Word → indexes of the languages it hints at (`para` is Spanish and Portuguese). */
const LANGUAGES_OF_WORD = new Map<string, number[]>();
WORD_HINTS.forEach(([words], lang) => {
  for (const w of words) {
    const list = LANGUAGES_OF_WORD.get(w) ?? [];
    list.push(lang);
    LANGUAGES_OF_WORD.set(w, list);
  }
});
const WORDS = new WordMatcher([...LANGUAGES_OF_WORD.keys()]);

export function languageRegions(text: string, at: number): CountryCode[] {
  const from = at > 300 ? at - 300 : 0;
  const to = Math.min(text.length, at + 120);
  const out: CountryCode[] = [];
  let scripts = 0;
  let cjk = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x370) continue;
    if (c >= 0x4e00 && c <= 0x9fff) cjk = true;
    for (let k = 0; k < SCRIPTS.length; k++) {
      const [lo, hi] = SCRIPTS[k]!;
      if (c >= lo && c <= hi) scripts |= 1 << k;
    }
  }
  SCRIPTS.forEach(([, , region], k) => {
    if (scripts & (1 << k)) out.push(region);
  });
  if (out.length === 0 && cjk) out.push(...CJK_REGIONS);
  const hits = new Array<number>(WORD_HINTS.length).fill(0);
  WORDS.each(text.slice(from, to), (word) => {
    for (const lang of LANGUAGES_OF_WORD.get(word.toLowerCase()) ?? []) hits[lang]!++;
  });
  hits.forEach((h, lang) => {
    if (h >= 2) out.push(...WORD_HINTS[lang]![1]);
  });
  return out;
}
