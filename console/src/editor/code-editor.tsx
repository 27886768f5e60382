import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Annotation, EditorState, type Extension } from '@codemirror/state';
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { rego } from './rego';
import { styleNonce } from './style-nonce';

export type EditorDiagnostic = Diagnostic;

/** Marks the transactions that load an outside value, so they are not echoed back through onChange. */
const outside = Annotation.define<boolean>();

interface Props {
  /** Accessible name of the editing area. */
  label: string;
  value: string;
  language: 'json' | 'rego';
  onChange?: (value: string) => void;
  diagnostics?: EditorDiagnostic[];
  readOnly?: boolean;
  id?: string;
  describedBy?: string;
}

const theme = EditorView.theme({
  '&': { border: '1px solid var(--border)', borderRadius: '6px', fontSize: '13px', background: 'var(--surface)' },
  '&.cm-focused': { outline: '3px solid var(--focus)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', minHeight: '12rem', maxHeight: '32rem' },
});

/**
 * CodeMirror 6 in a Preact component. Tab is left to move focus (no tab-indent trap: the editor
 * stays keyboard-navigable); diagnostics from server validation are shown inline and in the gutter.
 */
export function CodeEditor(props: Props): JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  // The text last handed to onChange: when it comes back as `value`, it is our own echo, not an outside change.
  const emitted = useRef(props.value);

  useEffect(() => {
    const extensions: Extension[] = [
      lineNumbers(), highlightActiveLineGutter(), foldGutter(), history(), indentOnInput(), bracketMatching(),
      highlightActiveLine(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), lintGutter(),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      props.language === 'json' ? json() : rego(),
      EditorView.lineWrapping, theme, styleNonce,
      EditorState.readOnly.of(Boolean(props.readOnly)),
      EditorView.contentAttributes.of({
        'aria-label': props.label, ...(props.describedBy ? { 'aria-describedby': props.describedBy } : {}), ...(props.id ? { id: props.id } : {}),
        'data-language': props.language,
      }),
      EditorView.updateListener.of((u) => {
        if (!u.docChanged || u.transactions.some((t) => t.annotation(outside))) return;
        emitted.current = u.state.doc.toString();
        onChange.current?.(emitted.current);
      }),
    ];
    const v = new EditorView({ parent: host.current!, state: EditorState.create({ doc: props.value, extensions }) });
    view.current = v;
    return () => { v.destroy(); view.current = null; };
  }, [props.language, props.readOnly, props.label]);

  // Outside changes (the form, loading a draft) replace the text. Layout effects run in the same task
  // as the render, so no keystroke can land between them; the user's own text coming back is ignored
  // (pushing it again could undo newer typing).
  useLayoutEffect(() => {
    const v = view.current;
    if (!v || props.value === emitted.current) return;
    emitted.current = props.value;
    if (v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value }, annotations: outside.of(true) });
    }
  }, [props.value]);

  useLayoutEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const clamp = (n: number) => Math.max(0, Math.min(n, len));
    const diags = (props.diagnostics ?? []).map((d) => ({ ...d, from: clamp(d.from), to: clamp(Math.max(d.to, d.from)) }));
    v.dispatch(setDiagnostics(v.state, diags));
  }, [props.diagnostics, props.value]);

  return <div class="code-editor" ref={host} />;
}

/** Offset of a 1-based line/column in a text (for Rego parse/compile errors). */
export function offsetOf(text: string, line: number, col = 1): { from: number; to: number } {
  const lines = text.split('\n');
  const l = Math.max(1, Math.min(line, lines.length));
  let from = 0;
  for (let i = 0; i < l - 1; i += 1) from += lines[i].length + 1;
  const lineText = lines[l - 1] ?? '';
  const start = from + Math.max(0, Math.min(col - 1, lineText.length));
  return { from: start, to: Math.max(start + 1, from + lineText.length) };
}
