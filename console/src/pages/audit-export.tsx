import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { Button, Field, Notice, Select, useAction } from '../components/ui';

interface ExportStatus {
  id: string; status: 'queued' | 'running' | 'done' | 'failed'; progress: number; format: string; error: string | null;
  manifest: { manifest: { file: string; sha256: string; bytes: number; count: number; keyId: string | null }; signature: string | null } | null;
}

async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Background export: start it, poll its progress, then download the file and its signed
 * manifest, and check the file against the manifest (SHA-256 and size) in the browser.
 */
export function AuditExport(props: { base: string }): JSX.Element {
  const [format, setFormat] = useState('jsonl');
  const [type, setType] = useState('');
  const [job, setJob] = useState<ExportStatus | null>(null);
  const [check, setCheck] = useState<{ ok: boolean; text: string } | null>(null);
  const action = useAction();

  // Poll while the job runs.
  useEffect(() => {
    if (!job || job.status === 'done' || job.status === 'failed') return;
    const timer = setTimeout(() => {
      get<ExportStatus>(`${props.base}/exports/${job.id}`).then(setJob, () => undefined);
    }, 700);
    return () => clearTimeout(timer);
  }, [job]);

  const start = async (e: Event) => {
    e.preventDefault();
    setCheck(null);
    const j = await action.run(() => post<ExportStatus>(`${props.base}/exports`, { format, ...(type ? { type } : {}) }));
    if (j) setJob(j);
  };
  const verify = async () => {
    if (!job?.manifest) return;
    const m = job.manifest.manifest;
    const res = await action.run(async () => {
      const file = await fetch(`${props.base}/exports/${job.id}/file`, { credentials: 'same-origin' });
      if (!file.ok) throw new Error(`download failed: ${file.status}`);
      const bytes = await file.arrayBuffer();
      return { hash: await sha256Hex(bytes), size: bytes.byteLength };
    });
    if (!res) return;
    const ok = res.hash === m.sha256 && res.size === m.bytes;
    setCheck({ ok, text: ok
      ? `The file matches its manifest: ${m.count} events, ${m.bytes} bytes, SHA-256 ${m.sha256.slice(0, 16)}…${job.manifest.signature ? ` (manifest signed by key ${m.keyId})` : ' (manifest unsigned)'}.`
      : `The file does NOT match its manifest (SHA-256 ${res.hash.slice(0, 16)}…, ${res.size} bytes).` });
  };

  const pct = job ? Math.round(job.progress * 100) : 0;
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <form class="inline-form" onSubmit={(e) => { void start(e); }}>
        <Select label="Format" value={format} options={['jsonl', 'csv', 'ocsf']} onChange={setFormat} />
        <Field label="Export only event type (optional)" value={type} onInput={setType} placeholder="policy.*" />
        <Button type="submit" variant="primary" busy={action.busy || (job !== null && (job.status === 'queued' || job.status === 'running'))}>Start export</Button>
      </form>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {job && (
        <div class="export">
          <label for="export-progress">Export {job.id.slice(0, 8)}: {job.status}</label>
          <progress id="export-progress" max={100} value={pct} aria-valuetext={`${pct}%`}>{pct}%</progress>
          <span role="status">{job.status === 'done' ? 'Export finished.' : job.status === 'failed' ? `Export failed: ${job.error ?? ''}` : `${pct}%`}</span>
          {job.status === 'done' && (
            <div class="row">
              <a class="btn btn-plain" href={`${props.base}/exports/${job.id}/file`} download>Download {job.manifest?.manifest.file ?? 'file'}</a>
              <a class="btn btn-plain" href={`${props.base}/exports/${job.id}/manifest`} download={`${job.manifest?.manifest.file ?? 'export'}.manifest.json`}>Download signed manifest</a>
              <Button onClick={() => { void verify(); }}>Verify file against manifest</Button>
            </div>
          )}
          {check && <Notice kind={check.ok ? 'success' : 'error'}>{check.text}</Notice>}
          {job.status === 'done' && <p class="muted">Offline: <code>gatehouse audit verify-export FILE</code> checks the chain links and the signature with the pinned public key.</p>}
        </div>
      )}
    </section>
  );
}
