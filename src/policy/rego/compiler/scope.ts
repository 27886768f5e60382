/** Variable scopes and slot allocation for one frame (a rule body, function or query). */
import type { Loc } from '../syntax/ast';

export class SlotAllocator {
  size = 0;
  next(): number {
    return this.size++;
  }
}

export class Scope {
  readonly vars = new Map<string, number>();
  /** names assigned with := in this scope (to report re-assignment) */
  readonly assigned = new Set<string>();
  constructor(readonly parent: Scope | null, readonly slots: SlotAllocator) {}

  lookup(name: string): number | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  /** Declares (or re-uses) a variable local to this scope. */
  declare(name: string): number {
    let v = this.vars.get(name);
    if (v === undefined) {
      v = this.slots.next();
      this.vars.set(name, v);
    }
    return v;
  }
  child(): Scope {
    return new Scope(this, this.slots);
  }
  /** name of the variable held in a slot, for messages */
  nameOf(slot: number): string {
    for (let s: Scope | null = this; s; s = s.parent) for (const [k, v] of s.vars) if (v === slot) return k;
    return `$${slot}`;
  }
}

/** Thrown during planning when an expression needs variables that are not bound yet. */
export class Unsafe {
  constructor(readonly names: string[], readonly loc: Loc) {}
}

/** A compile error with location, collected by the compiler. */
export class CompileIssue extends Error {
  constructor(readonly code: string, message: string, readonly loc: Loc | undefined) {
    super(message);
  }
}
