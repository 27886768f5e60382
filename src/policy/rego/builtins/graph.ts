/**
 * graph.reachable and graph.reachable_paths over adjacency objects (node → array/set of
 * neighbours), as OPA: nodes missing from the graph are not reached; cycles are cut.
 */
import { named, obj, typeError } from './args';
import { BuiltinError } from './types';
import type { BuiltinDef } from './types';
import { isSet, objectGet, RegoSet, sortedSetValues } from '../value';
import type { PlainObject, RegoObject, Value } from '../value';

/** Most paths graph.reachable_paths will produce (dense graphs have exponentially many). */
export const MAX_PATHS = 100_000;

function vertices(v: Value | undefined): Value[] {
  if (Array.isArray(v)) return v;
  if (isSet(v)) return sortedSetValues(v);
  return [];
}

function startNodes(args: Value[]): Value[] {
  const v = args[1];
  if (!Array.isArray(v) && !isSet(v)) throw typeError(2, v, 'array', 'set');
  return vertices(v);
}

function reachable(graph: PlainObject | RegoObject, initial: Value[]): RegoSet {
  const reached = new RegoSet();
  const queue = initial.slice();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    if (reached.has(node)) continue;
    const edges = objectGet(graph, node);
    if (edges === undefined) continue;
    reached.add(node);
    for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
  }
  return reached;
}

function reachablePaths(graph: PlainObject | RegoObject, initial: Value[]): RegoSet {
  const results = new RegoSet();
  const add = (path: Value[]): void => {
    results.add(path.slice());
    if (results.size > MAX_PATHS) throw new BuiltinError(`more than ${MAX_PATHS} paths`);
  };
  const build = (root: Value, path: Value[], reached: RegoSet): void => {
    const edges = objectGet(graph, root);
    if (edges === undefined) return add(path); // not in the graph: the path ends before it
    path.push(root);
    const next = vertices(edges);
    if (next.length === 0) add(path);
    for (const n of next) {
      if (reached.has(n)) add(path);
      else {
        reached.add(root);
        build(n, path, reached);
      }
    }
    path.pop();
  };
  for (const node of initial) {
    const edges = objectGet(graph, node);
    if (edges === undefined) continue;
    const next = vertices(edges);
    if (next.length === 0) add([node]);
    for (const n of next) build(n, [node], new RegoSet([node]));
  }
  return results;
}

export const builtins: BuiltinDef[] = named([
  { name: 'graph.reachable', arity: 2, fn: (args) => reachable(obj(args, 0), startNodes(args)) },
  { name: 'graph.reachable_paths', arity: 2, fn: (args) => reachablePaths(obj(args, 0), startNodes(args)) },
]);
