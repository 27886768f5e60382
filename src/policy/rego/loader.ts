/** Loads Rego modules and data documents from files and directories (as `opa eval -d` / `opa test` do). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import type { PolicyModule } from '../engine';
import { setPath } from './eval/ops';
import { Value, emptyObject, fromJSON, isObject } from './value';

export interface LoadedBundle {
  modules: PolicyModule[];
  data: Value;
}

export class LoadError extends Error {}

const DATA_FILES = new Set(['data.json', 'data.yaml', 'data.yml']);

/** Deep-merges b into a (objects merge, everything else: b wins). */
function merge(a: Value, b: Value): Value {
  if (!isObject(a) || !isObject(b) || Array.isArray(a) || Array.isArray(b)) return b;
  const out = emptyObject();
  for (const k of Object.keys(a)) out[k] = (a as Record<string, Value>)[k];
  for (const k of Object.keys(b)) {
    const x = (b as Record<string, Value>)[k];
    out[k] = k in out ? merge(out[k], x) : x;
  }
  return out;
}

function readData(file: string): Value {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return fromJSON(file.endsWith('.json') ? JSON.parse(text) : yaml.load(text));
  } catch (e) {
    throw new LoadError(`${file}: invalid data document: ${(e as Error).message}`);
  }
}

/**
 * Loads paths: a .rego file is a module, a .json/.yaml file is data at the root, a directory is walked:
 * its *.rego files are modules and its data.json/data.yaml files are placed at data.<dir path relative to the root>.
 */
export function loadPaths(paths: readonly string[]): LoadedBundle {
  const modules: PolicyModule[] = [];
  let data: Value = emptyObject();
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new LoadError(`${p}: no such file or directory`);
    }
    if (st.isFile()) {
      if (p.endsWith('.rego')) modules.push({ path: p, source: fs.readFileSync(p, 'utf8') });
      else if (/\.(json|ya?ml)$/.test(p)) data = merge(data, readData(p));
      else throw new LoadError(`${p}: not a .rego, .json or .yaml file`);
      continue;
    }
    const walk = (dir: string, rel: string[]): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!e.name.startsWith('.')) walk(full, [...rel, e.name]);
        } else if (e.name.endsWith('.rego')) {
          modules.push({ path: full, source: fs.readFileSync(full, 'utf8') });
        } else if (DATA_FILES.has(e.name)) {
          data = merge(data, setPath(undefined, rel, readData(full)));
        }
      }
    };
    walk(p, []);
  }
  return { modules, data };
}
