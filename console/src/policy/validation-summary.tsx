import type { JSX } from 'preact';
import { Notice } from '../components/ui';
import type { ValidationState } from './validation';
import { issueWhere } from './validation';

/** The validation outcome as text: a live region, so screen readers hear new problems. */
export function ValidationSummary(props: { state: ValidationState }): JSX.Element {
  const { result, syntax, pending, error } = props.state;
  return (
    <div class="validation" aria-live="polite">
      {syntax && <Notice kind="error">The data is not valid JSON: {syntax.message}</Notice>}
      {error && <Notice kind="warning">Could not validate: {error}</Notice>}
      {!syntax && result && (result.ok && result.errors.length === 0
        ? <p class="ok-text" data-testid="validation-ok">✓ Valid{result.tests.passed + result.tests.failed > 0 ? ` — ${result.tests.passed} policy tests passed` : ''}{pending ? ' (checking…)' : ''}</p>
        : (
          <div class="notice notice-error" data-testid="validation-errors">
            <strong>{result.errors.length} problem{result.errors.length === 1 ? '' : 's'}{pending ? ' (checking…)' : ''}</strong>
            <ul>
              {result.errors.map((i) => <li><span class="tag">{i.kind}</span> {issueWhere(i) && <code>{issueWhere(i)}</code>} {i.message}</li>)}
            </ul>
          </div>
        ))}
      {result && result.warnings.length > 0 && (
        <div class="notice notice-warning"><strong>Warnings</strong><ul>{result.warnings.map((i) => <li>{issueWhere(i) && <code>{issueWhere(i)}</code>} {i.message}</li>)}</ul></div>
      )}
      {result && result.tests.failed > 0 && (
        <div class="notice notice-error"><strong>Failing policy tests</strong><ul>{result.tests.results.filter((t) => !t.pass).map((t) => <li><code>{t.package}.{t.name}</code> {t.message ?? ''}</li>)}</ul></div>
      )}
      {!result && !syntax && pending && <p class="muted">Checking…</p>}
    </div>
  );
}
