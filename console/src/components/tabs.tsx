import type { ComponentChildren, JSX } from 'preact';
import { useId, useRef } from 'preact/hooks';

/** WAI-ARIA tabs: arrow keys / Home / End move between tabs, Tab goes into the panel. */
export function Tabs(props: { label: string; tabs: Array<{ id: string; title: string }>; active: string; onSelect: (id: string) => void; children: ComponentChildren }): JSX.Element {
  const base = useId();
  const list = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent) => {
    const i = props.tabs.findIndex((t) => t.id === props.active);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % props.tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + props.tabs.length) % props.tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = props.tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    props.onSelect(props.tabs[next].id);
    queueMicrotask(() => list.current?.querySelector<HTMLButtonElement>(`#${CSS.escape(`${base}-tab-${props.tabs[next].id}`)}`)?.focus());
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={props.label} ref={list} onKeyDown={onKey}>
        {props.tabs.map((t) => (
          <button type="button" role="tab" id={`${base}-tab-${t.id}`} aria-selected={t.id === props.active ? 'true' : 'false'}
            aria-controls={`${base}-panel`} tabIndex={t.id === props.active ? 0 : -1} onClick={() => props.onSelect(t.id)}>{t.title}</button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${props.active}`} tabIndex={0}>{props.children}</div>
    </div>
  );
}
