import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { Button, Field, Notice } from '../components/ui';
import { CodeEditor } from '../editor/code-editor';
import type { RegoModule } from './types';
import type { ValidationState } from './validation';
import { moduleDiagnostics } from './validation';

/** A starting module: custom rules add `deny` reasons in the scope's own package. */
const TEMPLATE = (pkg: string, test: boolean) => test ? `package gateway.custom.${pkg}_test

import rego.v1

# Tests run at every validation and are never part of the live policy.
test_example if {
	count(data.gateway.custom.${pkg}.deny) == 0 with input as {"request": {"model": "demo-chat"}}
}
` : `package gateway.custom.${pkg}

import rego.v1

# Each reason in \`deny\` refuses the request: a string, or {"code": ..., "message": ...}.
# deny contains {"code": "no_preview_models", "message": "preview models are not allowed"} if {
# 	endswith(input.request.model, "-preview")
# }
`;

/** Custom Rego modules: one editor per file, with Rego highlighting and inline compile errors. */
export function ModulesEditor(props: { modules: RegoModule[]; onChange: (m: RegoModule[]) => void; validation: ValidationState; readOnly: boolean; packageName: string }): JSX.Element {
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
    setPathError(null);
    setNewPath('');
    props.onChange([...modules, { path, source: TEMPLATE(props.packageName, path.endsWith('_test.rego')) }]);
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
