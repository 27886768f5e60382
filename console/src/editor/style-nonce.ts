import { EditorView } from '@codemirror/view';

/**
 * CodeMirror writes its generated styles into <style> elements; the console's CSP admits them
 * only with the per-response nonce the server put into index.html.
 */
const nonce = document.querySelector('meta[name="gatehouse-style-nonce"]')?.getAttribute('content') ?? '';

export const styleNonce = EditorView.cspNonce.of(nonce);
