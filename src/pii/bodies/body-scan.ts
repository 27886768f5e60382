/**
 * Scanning and transforming whole request/response bodies. Two steps so the gateway can ask the policy what to do
 * with what was found: `scanBody` (findings + a summary by type, never raw values), then `applyToBody` (the
 * transformed body, copy-on-write: the caller's object is never mutated). Answers also get tokenized
 * placeholders restored from the request's vault.
 */
import { applyPiiActions, validateActionMap, type OperatorOptions } from '../operators/apply';
import type { PiiActionMap, PiiFinding, PiiScanner } from '../types';
import { CowWriter, type JsonPath } from './cow';
import { collectJsonStrings } from './json-strings';
import { collectSlots, type BodyShape } from './shapes';

interface ScannedLeaf {
  /** Path of the string in the body, then (for JSON slots) inside the JSON document. */
  path: JsonPath;
  innerPath?: JsonPath;
  text: string;
  findings: PiiFinding[];
  fromNumber: boolean;
}

interface ScannedSlot {
  path: JsonPath;
  kind: 'text' | 'json-string' | 'json-value';
  /** `json-*` slots walked value by value; `raw` when the JSON was unparseable/too deep and scanned as text. */
  mode: 'text' | 'parsed' | 'raw';
  doc?: unknown;
  leaves: ScannedLeaf[];
}

export interface ScannedBody {
  readonly shape: BodyShape;
  readonly body: unknown;
  readonly slots: readonly ScannedSlot[];
  /** Findings per entity type (counts only). */
  readonly summary: Readonly<Record<string, number>>;
  readonly findingCount: number;
}

export interface BodyTransformResult {
  body: unknown;
  /** False when the returned body is the caller's object, untouched. */
  changed: boolean;
  summary: Record<string, number>;
  blocked: boolean;
  blockedTypes: string[];
}

function isResponse(shape: BodyShape): boolean {
  return shape === 'openai.chat.response' || shape === 'anthropic.messages.response';
}

/** JSON-text-safe scanning fallback: never end a span on an escaping backslash. */
function fixRawSpans(text: string, findings: PiiFinding[]): PiiFinding[] {
  return findings.map((f) => {
    let end = f.end;
    let slashes = 0;
    for (let i = end - 1; i >= f.start && text[i] === '\\'; i--) slashes++;
    if (slashes % 2 === 1 && end < text.length) end++;
    return end === f.end ? f : { ...f, end };
  });
}

export function scanBody(shape: BodyShape, body: unknown, scanner: PiiScanner): ScannedBody {
  const slots: ScannedSlot[] = [];
  const summary: Record<string, number> = {};
  let count = 0;
  const note = (findings: PiiFinding[]) => {
    for (const f of findings) summary[f.type] = (summary[f.type] ?? 0) + 1;
    count += findings.length;
  };
  for (const slot of collectSlots(shape, body)) {
    if (slot.kind === 'text') {
      const text = slot.value as string;
      const findings = scanner.scan(text);
      note(findings);
      slots.push({ path: slot.path, kind: 'text', mode: 'text', leaves: [{ path: slot.path, text, findings, fromNumber: false }] });
      continue;
    }
    let doc: unknown = slot.value;
    let parsedOk = true;
    if (slot.kind === 'json-string') {
      try {
        doc = JSON.parse(slot.value as string);
      } catch {
        parsedOk = false;
      }
    }
    const strings = parsedOk ? collectJsonStrings(doc) : null;
    if (strings) {
      const leaves: ScannedLeaf[] = [];
      for (const s of strings) {
        const findings = scanner.scan(s.text);
        if (findings.length === 0) continue;
        note(findings);
        leaves.push({ path: slot.path, innerPath: s.path, text: s.text, findings, fromNumber: s.fromNumber });
      }
      slots.push({ path: slot.path, kind: slot.kind, mode: 'parsed', doc, leaves });
      continue;
    }
    // Unparseable (partial) or too deep/large: scan the JSON text itself; placeholders keep it valid JSON.
    let raw: string;
    try {
      raw = typeof slot.value === 'string' ? slot.value : JSON.stringify(slot.value) ?? '';
    } catch {
      continue; // not serialisable (cycle or too deep for the engine): nothing a provider could receive either
    }
    const findings = fixRawSpans(raw, scanner.scan(raw));
    note(findings);
    slots.push({ path: slot.path, kind: slot.kind, mode: 'raw', leaves: [{ path: slot.path, text: raw, findings, fromNumber: false }] });
  }
  return { shape, body, slots, summary, findingCount: count };
}

const jsonEscape = (s: string) => JSON.stringify(s).slice(1, -1);

export function applyToBody(
  scanned: ScannedBody,
  actions: PiiActionMap,
  options: OperatorOptions = {},
): BodyTransformResult {
  validateActionMap(actions, options);
  const restore = isResponse(scanned.shape) ? options.vault : undefined;
  const writer = new CowWriter(scanned.body);
  const blockedTypes = new Set<string>();
  let changed = false;
  for (const slot of scanned.slots) {
    if (slot.mode === 'parsed') {
      const inner = new CowWriter(slot.doc);
      let innerChanged = false;
      const done = new Set<string>();
      for (const leaf of slot.leaves) {
        done.add(JSON.stringify(leaf.innerPath ?? []));
        const r = applyPiiActions(leaf.text, leaf.findings, actions, options);
        r.blockedTypes.forEach((t) => blockedTypes.add(t));
        const text = restore ? restore.restore(r.text) : r.text;
        if (text !== leaf.text) {
          inner.set(leaf.innerPath ?? [], text);
          innerChanged = true;
        }
      }
      // Answers: placeholders may sit in JSON strings without findings; restore them too.
      if (restore && restore.size > 0) innerChanged = restoreJsonStrings(slot.doc, inner, restore, done) || innerChanged;
      if (innerChanged) {
        const doc = inner.result();
        writer.set(slot.path, slot.kind === 'json-string' ? JSON.stringify(doc) : doc);
        changed = true;
      }
      continue;
    }
    const leaf = slot.leaves[0]!;
    const r = applyPiiActions(leaf.text, leaf.findings, actions, options);
    r.blockedTypes.forEach((t) => blockedTypes.add(t));
    let text = r.text;
    if (restore) text = restore.restore(text, slot.mode === 'raw' ? jsonEscape : undefined);
    if (text === leaf.text) continue;
    if (slot.mode === 'raw' && slot.kind === 'json-value') {
      try {
        writer.set(slot.path, JSON.parse(text));
      } catch {
        continue;
      }
    } else writer.set(slot.path, text);
    changed = true;
  }
  return {
    body: changed ? writer.result() : scanned.body,
    changed,
    summary: { ...scanned.summary },
    blocked: blockedTypes.size > 0,
    blockedTypes: [...blockedTypes],
  };
}

function restoreJsonStrings(
  doc: unknown,
  inner: CowWriter,
  vault: NonNullable<OperatorOptions['vault']>,
  done: ReadonlySet<string>,
): boolean {
  const strings = collectJsonStrings(doc);
  if (!strings) return false;
  let changed = false;
  for (const s of strings) {
    if (s.fromNumber || s.text.indexOf('<') < 0 || done.has(JSON.stringify(s.path))) continue;
    const restored = vault.restore(s.text);
    if (restored !== s.text) {
      inner.set(s.path, restored);
      changed = true;
    }
  }
  return changed;
}

/** Scan and transform in one call (when the action map is known up front). */
export function transformBody(
  shape: BodyShape,
  body: unknown,
  scanner: PiiScanner,
  actions: PiiActionMap,
  options: OperatorOptions = {},
): BodyTransformResult {
  return applyToBody(scanBody(shape, body, scanner), actions, options);
}
