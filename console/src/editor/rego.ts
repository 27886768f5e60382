import { LanguageSupport, StreamLanguage, type StreamParser } from '@codemirror/language';
// codemirror-rego has no usable "main": its CodeMirror 5 mode is in mode.js (registered through cm5-shim).
import 'codemirror-rego/mode';
import { modes, type Cm5StringStream } from './cm5-shim';

/**
 * Rego highlighting from codemirror-rego (Styra's CodeMirror 5 mode) run by CodeMirror 6's
 * StreamLanguage: CM6's StringStream offers the same methods the mode calls, and its legacy token
 * names (keyword, builtin, variable-2, def, string, comment, …) map to highlight tags.
 */
function regoParser(): StreamParser<unknown> {
  const factory = modes.get('rego');
  if (!factory) throw new Error('codemirror-rego did not register its mode');
  const mode = factory({}, {});
  return {
    name: 'rego',
    startState: () => mode.startState(),
    token: (stream, state) => mode.token(stream as unknown as Cm5StringStream, state) ?? null,
    languageData: { commentTokens: { line: mode.lineComment ?? '#' } },
  };
}

let language: StreamLanguage<unknown> | null = null;

export function rego(): LanguageSupport {
  language ??= StreamLanguage.define(regoParser());
  return new LanguageSupport(language);
}
