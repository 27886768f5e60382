/**
 * Stands in for CodeMirror 5 when codemirror-rego's mode.js runs (`require('codemirror')`):
 * it only records the modes defined, so CodeMirror 6 can use them through StreamLanguage.
 */

export interface Cm5StringStream {
  pos: number;
  start: number;
  eatSpace(): boolean;
  eat(match: string | RegExp | ((ch: string) => boolean)): string | void;
  eatWhile(match: string | RegExp | ((ch: string) => boolean)): boolean;
  match(pattern: string | RegExp, consume?: boolean): unknown;
  next(): string | void;
  skipToEnd(): void;
}

export interface Cm5Mode<S> {
  startState(): S;
  token(stream: Cm5StringStream, state: S): string | null | undefined;
  lineComment?: string;
}

type ModeFactory = (editorOptions: Record<string, unknown>, modeOptions: Record<string, unknown>) => Cm5Mode<unknown>;

export const modes = new Map<string, ModeFactory>();

export function defineMode(name: string, factory: ModeFactory): void {
  modes.set(name, factory);
}

export function defineMIME(): void {
  // MIME aliases mean nothing to CodeMirror 6.
}
