import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Button, Field, Notice } from '../components/ui';
import { CodeEditor } from '../editor/code-editor';
import type { RegoModule } from './types';
import type { ValidationState } from './validation';
import { moduleDiagnostics } from './validation';

const TEMPLATE = (pkg: string) => `package ${pkg}

import rego.v1

# Rules here extend the gateway's decision. Test files (*_test.rego) run at validation
# and are never part of the live policy.
`;

/** Custom Rego modules: one editor per file, with Rego highlighting and inline compile errors. */
export function ModulesEditor(props: { modules: RegoModule[]; onChange: (m: RegoModule[]) => void; validation: ValidationState; readOnly: boolean }): JSX.Element {
  const [current, setCurrent] = useState(0);
  const [newPath, setNewPath] = useState('');
  const [pathError, setPathError] = useState<string | null>(null);
  const { modules } = props;
  const index = Math.min(current, Math.max(0, modules.length - 1));
  const active = modules[index];

  const add = (e: Event) => {
    e.preventDefault();
    const path = newPath.trim();
    if (!/^[A-Za-z0-9_./-]{1,200}\.rego$/.test(path)) return setPathError('A file name like custom/extra.rego (letters, digits, _ . / -).');
    if (modules.some((m) => m.path === path)) return setPathError('There is already a module with this name.');
    const pkg = path.replace(/\.rego$/, '').replace(/_test$/, '').split('/').map((p) => p.replace(/[^A-Za-z0-9_]/g, '_')).join('.');
    setPathError(null);
    setNewPath('');
    props.onChange([...modules, { path, source: TEMPLATE(`custom.${pkg}`) }]);
    setCurrent(modules.length);
  };
  const remove = () => {
    if (!active || !confirm(`Remove ${active.path}?`)) return;
    props.onChange(modules.filter((_, i) => i !== index));
    setCurrent(Math.max(0, index - 1));
  };

  return (
    <div class="modules">
      {modules.length === 0 ? <Notice kind="info">No custom Rego modules: the built-in gateway policy decides, driven by the data.</Notice> : (
        <>
          <div class="row" role="group" aria-label="Modules">
            {modules.map((m, i) => (
              <Button aria-pressed={i === index ? 'true' : 'false'} onClick={() => setCurrent(i)}>
                {m.path}{moduleDiagnostics(m, props.validation).some((d) => d.severity === 'error') ? ' ⚠' : ''}
              </Button>
            ))}
          </div>
          {active && (
            <>
              <CodeEditor label={`Rego module ${active.path}`} language="rego" value={active.source} readOnly={props.readOnly}
                diagnostics={moduleDiagnostics(active, props.validation)}
                onChange={(source) => props.onChange(modules.map((m, i) => (i === index ? { ...m, source } : m)))} />
              {!props.readOnly && <Button variant="danger" onClick={remove}>Remove {active.path}</Button>}
            </>
          )}
        </>
      )}
      {!props.readOnly && (
        <form class="inline-form" onSubmit={add}>
          <Field label="New module file" value={newPath} onInput={setNewPath} placeholder="custom/extra.rego" error={pathError} />
          <Button type="submit">Add module</Button>
        </form>
      )}
    </div>
  );
}
