import { Counter, type Registry } from 'prom-client';
import type { GatewayDecision, PolicyInput, ShadowPolicy } from '../policy';
import { compareSummaries, evaluateSummary, summarize } from '../policy/simulation';

/**
 * Shadow mode: a draft evaluated next to the live policy on real traffic, recorded, never
 * enforced. The live decision is made first and is never read back from here; the shadow one is
 * computed after the request moved on (setImmediate), or at the latest when the request's audit
 * event is built, which carries its outcome. A shadow policy that throws only records `error`.
 */

/** The `shadow` member of a request audit event. */
export interface ShadowOutcome {
  version: string;
  draftId: number;
  allow: boolean;
  /** Deny codes of the shadow decision. */
  deny: string[];
  /** True when the shadow decision differs from the live one (allow, deny codes, PII actions, endpoints). */
  changed: boolean;
  /** The shadow policy could not decide (it would have failed closed). */
  error?: string;
}

type Job = { run: () => ShadowOutcome; result?: ShadowOutcome };

// Keyed by the request's exchange: nothing is added to the request object itself.
const jobs = new WeakMap<object, Job>();

const COUNTER = 'gatehouse_policy_shadow_decisions_total';

const counters = new WeakMap<Registry, Counter<'changed'>>();

/** The registry's shadow counter, looked up once per registry (not per shadowed request). */
function counterIn(registry: Registry): Counter<'changed'> {
  let counter = counters.get(registry);
  if (!counter) {
    counter = (registry.getSingleMetric(COUNTER) as Counter<'changed'> | undefined) ?? new Counter({
      name: COUNTER, help: 'Shadow policy decisions on live traffic, by whether they differ from the live decision (error: the shadow policy failed)',
      labelNames: ['changed'], registers: [registry],
    });
    counters.set(registry, counter);
  }
  return counter;
}

function evaluate(shadow: ShadowPolicy, input: PolicyInput, live: GatewayDecision): ShadowOutcome {
  const base = { version: shadow.version, draftId: shadow.draftId };
  try {
    const draft = evaluateSummary(shadow.policy, input);
    const failed = draft.deny.find((d) => d.code === 'policy_error');
    const changes = compareSummaries(summarize(live, input), draft, input.pii.input);
    const outcome: ShadowOutcome = { ...base, allow: draft.allow, deny: draft.deny.map((d) => d.code), changed: changes.length > 0 };
    if (failed) outcome.error = failed.message.slice(0, 500);
    return outcome;
  } catch (err) {
    return { ...base, allow: false, deny: [], changed: true, error: `shadow evaluation failed: ${String((err as Error)?.message ?? err).slice(0, 450)}` };
  }
}

/**
 * Schedules the shadow evaluation of this request's input; a no-op without a shadow policy.
 * Never throws and never touches `live`.
 */
export function scheduleShadow(
  exchange: object, shadow: ShadowPolicy | null | undefined, input: PolicyInput, live: GatewayDecision, registry?: Registry,
): void {
  if (!shadow) return;
  const job: Job = {
    run() {
      if (!job.result) {
        job.result = evaluate(shadow, input, live);
        if (registry) {
          try {
            counterIn(registry).inc({ changed: job.result.error ? 'error' : String(job.result.changed) });
          } catch { /* a metrics problem must not touch the request */ }
        }
      }
      return job.result;
    },
  };
  jobs.set(exchange, job);
  setImmediate(() => { job.run(); });
}

/** The shadow outcome of a request (evaluated now if the scheduled run has not happened yet). */
export function shadowOutcome(exchange: object): ShadowOutcome | undefined {
  return jobs.get(exchange)?.run();
}
