import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { get, scopePath } from '../api';
import { BarChart } from '../components/bar-chart';
import { AsyncView, Notice, PageTitle, Select, usd, useAsync } from '../components/ui';

interface Entry {
  scope: 'workspace' | 'user' | 'key'; id: string | null; name: string | null; requests: number; spentUsd: number; tokens: number;
  reservedUsd: number | null; limits: Array<{ unit: 'usd' | 'tokens'; limit: number; hard: boolean; source: string | null; remaining: number }>; revoked?: boolean;
}
interface Report { workspace: string; window: string; windowId: string; timeZone: string; from: string | null; to: string | null; entries: Entry[] }

const WINDOWS = ['day', 'week', 'month', 'total'] as const;
const axis = (v: number): string => `$${Number(v.toPrecision(3))}`;
const WINDOW_LABEL: Record<string, string> = { day: 'today', week: 'this week', month: 'this month', total: 'all time' };

/** Spend dashboard: the current day/week/month/total side by side, then per user and per key for one window. */
export function SpendPage(props: { org: string; ws: string }): JSX.Element {
  const base = `${scopePath(props.org, props.ws)}/spend`;
  const [window, setWindow] = useState<string>('month');
  const [timeZone, setTimeZone] = useState('UTC');
  const all = useAsync((signal) => Promise.all(WINDOWS.map((w) => get<Report>(base, { window: w, time_zone: timeZone }, signal))), [base, timeZone]);
  const report = all.data?.find((r) => r.window === window) ?? null;
  const zones = ['UTC', Intl.DateTimeFormat().resolvedOptions().timeZone].filter((z, i, a) => a.indexOf(z) === i);

  return (
    <>
      <PageTitle sub={`Workspace ${props.ws}, from the usage ledger`}>Spend</PageTitle>
      <div class="inline-form">
        <Select label="Window" value={window} options={WINDOWS.map((w) => ({ value: w, label: WINDOW_LABEL[w] }))} onChange={setWindow} />
        <Select label="Time zone" value={timeZone} options={zones} onChange={setTimeZone} />
      </div>
      <AsyncView state={all} what="spend">
        {(reports) => {
          const ws = (r: Report) => r.entries.find((e) => e.scope === 'workspace');
          const users = report?.entries.filter((e) => e.scope === 'user') ?? [];
          const keys = report?.entries.filter((e) => e.scope === 'key') ?? [];
          return (
            <>
              <div class="charts">
                <BarChart title="Workspace spend by period (USD)" total={false} labels={reports.map((r) => WINDOW_LABEL[r.window])} values={reports.map((r) => ws(r)?.spentUsd ?? 0)} format={usd} axisFormat={axis} />
                <BarChart title={`Spend per user, ${WINDOW_LABEL[window]} (USD)`} labels={users.map((u) => u.name ?? u.id ?? 'unknown')} values={users.map((u) => u.spentUsd)} format={usd} axisFormat={axis} />
                <BarChart title={`Spend per key, ${WINDOW_LABEL[window]} (USD)`} labels={keys.map((k) => `${k.name ?? k.id ?? 'unknown'}${k.revoked ? ' (revoked)' : ''}`)} values={keys.map((k) => k.spentUsd)} format={usd} axisFormat={axis} />
              </div>
              {report && <SpendTable report={report} />}
            </>
          );
        }}
      </AsyncView>
    </>
  );
}

function SpendTable(props: { report: Report }): JSX.Element {
  const r = props.report;
  if (r.entries.length === 0) return <Notice kind="info">No spend in this window.</Notice>;
  return (
    <table class="table">
      <caption>Spend {WINDOW_LABEL[r.window]} ({r.windowId}, {r.timeZone})</caption>
      <thead><tr><th scope="col">Scope</th><th scope="col">Name</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Spent</th><th scope="col" class="num">Reserved now</th><th scope="col">Limits</th></tr></thead>
      <tbody>
        {r.entries.map((e) => (
          <tr>
            <td>{e.scope}</td>
            <td>{e.name ?? e.id ?? '—'}{e.revoked ? ' (revoked)' : ''}</td>
            <td class="num">{e.requests}</td>
            <td class="num">{e.tokens}</td>
            <td class="num">{usd(e.spentUsd)}</td>
            <td class="num">{e.reservedUsd === null ? 'unknown' : usd(e.reservedUsd)}</td>
            <td>{e.limits.length ? e.limits.map((l) => `${l.unit === 'usd' ? usd(l.limit) : `${l.limit} tokens`} (${l.hard ? 'hard' : 'soft'}${l.source ? `, ${l.source}` : ''}; ${l.unit === 'usd' ? usd(l.remaining) : l.remaining} left)`).join('; ') : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
