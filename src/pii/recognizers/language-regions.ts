/**
 * Phone region hints from the language around a number, so `030 12345678` in German text is tried as a German
 * national number. Only the few hundred characters around the candidate are looked at (bounded cost).
 */
import type { CountryCode } from 'libphonenumber-js/max';

const SCRIPT_HINTS: ReadonlyArray<[RegExp, CountryCode]> = [
  [/[\u3040-\u30ff]/, 'JP'],
  [/[\uac00-\ud7af]/, 'KR'],
  [/[\u0400-\u04ff]/, 'RU'],
  [/[\u0900-\u097f]/, 'IN'],
  [/[\u0e00-\u0e7f]/, 'TH'],
  [/[\u0370-\u03ff]/, 'GR'],
];
const CJK = /[\u4e00-\u9fff]/;

const WORD_HINTS: ReadonlyArray<[RegExp, readonly CountryCode[]]> = [
  [/\b(?:und|der|die|das|nicht|ist|mit|bitte|ich|sie|ihre|unter|erreichen|vielen|dank)\b/gi, ['DE', 'AT', 'CH']],
  [/\b(?:le|la|les|et|est|vous|pour|nous|je|merci|au|votre|bonjour)\b/gi, ['FR', 'BE', 'CH']],
  [/\b(?:el|los|las|y|es|para|usted|por|gracias|hola|su|mi|llame)\b/gi, ['ES', 'MX']],
  [/\b(?:il|che|della|per|sono|grazie|ciao|chiamare|numero)\b/gi, ['IT']],
  [/\b(?:het|een|niet|voor|bedankt|bellen|jij|u)\b/gi, ['NL']],
  [/\b(?:não|obrigado|você|para|com|uma)\b/gi, ['PT', 'BR']],
];

export function languageRegions(text: string, at: number): CountryCode[] {
  const from = at > 300 ? at - 300 : 0;
  const window = text.slice(from, at + 120);
  const out: CountryCode[] = [];
  for (const [re, region] of SCRIPT_HINTS) if (re.test(window)) out.push(region);
  if (out.length === 0 && CJK.test(window)) out.push('JP', 'CN', 'TW', 'HK');
  for (const [re, regions] of WORD_HINTS) {
    re.lastIndex = 0;
    let hits = 0;
    while (re.exec(window) !== null && hits < 2) hits++;
    if (hits >= 2) out.push(...regions);
  }
  return out;
}
