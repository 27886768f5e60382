import type { JSX } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { PII_ENTITY_TYPES } from '../../../src/pii/entities';
import { Checkbox, Select } from '../components/ui';
import { getIn, setIn } from './data-tools';
import type { Issue, PolicyData } from './types';

/**
 * Form editing of the common policy data fields. Everything else (spend caps, metadata rules,
 * max_findings) stays editable in the JSON editor next to it; both edit the same object.
 */

const ACTIONS = ['redact', 'mask', 'hash', 'tokenize', 'block', 'allow'];

interface FormProps {
  data: PolicyData;
  onChange: (data: PolicyData) => void;
  issues: Issue[];
  disabled?: boolean;
}

/** Errors that name this path or a path below it. */
function errorFor(issues: Issue[], path: string): string | null {
  const hits = issues.filter((i) => i.path && (i.path === path || i.path.startsWith(`${path}.`)));
  return hits.length ? hits.map((i) => i.message).join('; ') : null;
}

function ListField(props: { label: string; path: string; data: PolicyData; onChange: FormProps['onChange']; issues: Issue[]; hint?: string; disabled?: boolean }): JSX.Element {
  const id = useId();
  const parts = props.path.split('.');
  const current = (getIn(props.data, parts) as string[] | undefined) ?? [];
  const [text, setText] = useState(current.join(', '));
  const parse = (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean);
  // Follow outside changes (JSON editor) without fighting the user's typing.
  useEffect(() => { if (parse(text).join('\u0000') !== current.join('\u0000')) setText(current.join(', ')); }, [current.join('\u0000')]);
  const error = errorFor(props.issues, props.path);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input id={id} value={text} disabled={props.disabled} aria-invalid={error ? 'true' : undefined} aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
        onInput={(e) => {
          const t = (e.currentTarget as HTMLInputElement).value;
          setText(t);
          const list = parse(t);
          props.onChange(setIn(props.data, parts, list.length ? list : undefined));
        }} />
      <div class="hint" id={`${id}-hint`}>{props.hint ?? 'comma-separated; empty: not set'}</div>
      {error && <div class="error-text" id={`${id}-err`}>{error}</div>}
    </div>
  );
}

function Bool(props: { label: string; path: string; data: PolicyData; onChange: FormProps['onChange']; disabled?: boolean }): JSX.Element {
  const parts = props.path.split('.');
  return <Checkbox label={props.label} checked={getIn(props.data, parts) === true} disabled={props.disabled}
    onChange={(on) => props.onChange(setIn(props.data, parts, on ? true : undefined))} />;
}

function PiiTable(props: { direction: 'input' | 'output'; data: PolicyData; onChange: FormProps['onChange']; issues: Issue[]; disabled?: boolean }): JSX.Element {
  const rules = (getIn(props.data, ['pii', props.direction]) as Record<string, string> | undefined) ?? {};
  const types = ['*', ...PII_ENTITY_TYPES, ...Object.keys(rules).filter((t) => t !== '*' && !PII_ENTITY_TYPES.includes(t))];
  return (
    <table class="table compact">
      <caption>PII rules for the {props.direction === 'input' ? 'prompt (input)' : 'answer (output)'}</caption>
      <thead><tr><th scope="col">Entity type</th><th scope="col">Action</th></tr></thead>
      <tbody>
        {types.map((t) => {
          const path = `pii.${props.direction}.${t}`;
          const error = errorFor(props.issues, path);
          const value = rules[t] ?? '';
          return (
            <tr class={value ? 'set' : undefined}>
              <th scope="row" class="mono">{t === '*' ? '* (every other type)' : t}</th>
              <td>
                <Select hideLabel label={`${props.direction} action for ${t}`} value={value} error={error} disabled={props.disabled}
                  options={[{ value: '', label: '(not set)' }, ...ACTIONS, ...(value && !ACTIONS.includes(value) ? [value] : [])]}
                  onChange={(v) => props.onChange(setIn(props.data, ['pii', props.direction, t], v || undefined))} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function PolicyDataForm(props: FormProps): JSX.Element {
  const { data, onChange, issues, disabled } = props;
  const maxTokens = getIn(data, ['limits', 'max_tokens']);
  const maxTokensError = errorFor(issues, 'limits.max_tokens');
  const common = { data, onChange, issues, disabled };
  return (
    <div class="policy-form">
      <fieldset>
        <legend>Personal data and secrets</legend>
        <PiiTable direction="input" {...common} />
        <details>
          <summary>Rules for answers (output)</summary>
          <PiiTable direction="output" {...common} />
        </details>
      </fieldset>
      <fieldset>
        <legend>Providers</legend>
        <Bool label="Require zero data retention" path="providers.require_zdr" {...common} />
        <Bool label="Refuse providers that train on data" path="providers.deny_training" {...common} />
        <ListField label="Allowed data regions" path="providers.allowed_regions" {...common} hint="e.g. eu, us; empty: any" />
        <ListField label="Blocked jurisdictions" path="providers.blocked_jurisdictions" {...common} hint="two-letter country codes, e.g. CN" />
        <ListField label="Required certifications" path="providers.required_certifications" {...common} />
        <ListField label="Allowed endpoints" path="providers.allow_endpoints" {...common} hint="endpoint ids or globs; empty: any" />
        <ListField label="Denied endpoints" path="providers.deny_endpoints" {...common} />
      </fieldset>
      <fieldset>
        <legend>Models and limits</legend>
        <ListField label="Allowed models" path="models.allow" {...common} hint="globs allowed, e.g. demo-*" />
        <ListField label="Denied models" path="models.deny" {...common} />
        <div class="field">
          <label for="pf-max-tokens">Maximum tokens per request</label>
          <input id="pf-max-tokens" type="number" min={1} disabled={disabled} value={typeof maxTokens === 'number' ? String(maxTokens) : ''}
            aria-invalid={maxTokensError ? 'true' : undefined} aria-describedby={maxTokensError ? 'pf-max-tokens-err' : undefined}
            onInput={(e) => {
              const t = (e.currentTarget as HTMLInputElement).value.trim();
              onChange(setIn(data, ['limits', 'max_tokens'], t === '' ? undefined : Number(t)));
            }} />
          {maxTokensError && <div class="error-text" id="pf-max-tokens-err">{maxTokensError}</div>}
        </div>
        <Select label="Routing order" value={(getIn(data, ['routing', 'sort']) as string | undefined) ?? ''} disabled={disabled}
          error={errorFor(issues, 'routing.sort')}
          options={[{ value: '', label: '(default: priority)' }, 'priority', 'price', 'latency']}
          onChange={(v) => onChange(setIn(data, ['routing', 'sort'], v || undefined))} />
        <Bool label="Store prompts in the audit log (encrypted)" path="obligations.store_prompt" {...common} />
      </fieldset>
    </div>
  );
}
