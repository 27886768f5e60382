/** Copy-on-write edits of parsed JSON: containers along an edited path are cloned once; the input is never mutated. */
export type JsonPath = readonly (string | number)[];

export class CowWriter {
  private readonly clones = new Map<object, object>();
  private rootClone: unknown;

  constructor(private readonly root: unknown) {}

  private cloneOf(container: object): Record<string | number, unknown> {
    let c = this.clones.get(container);
    if (!c) {
      c = Array.isArray(container) ? container.slice() : { ...container };
      this.clones.set(container, c);
      this.clones.set(c, c);
    }
    return c as Record<string | number, unknown>;
  }

  set(path: JsonPath, value: unknown): void {
    if (path.length === 0) {
      this.rootClone = value;
      return;
    }
    if (this.rootClone === undefined) this.rootClone = this.cloneOf(this.root as object);
    let original: unknown = this.root;
    let target = this.rootClone as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      original = (original as Record<string | number, unknown>)[key];
      const next = this.cloneOf(original as object);
      target[key] = next;
      target = next;
    }
    target[path[path.length - 1]!] = value;
  }

  /** The edited document (the original when nothing was set). */
  result(): unknown {
    return this.rootClone === undefined ? this.root : this.rootClone;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
