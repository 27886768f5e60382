import type { Pool, PoolClient } from 'pg';
import type { CatalogEndpointSpec, CatalogModelSpec, ModelKind } from './types';
import type { ProviderKind } from '../providers';

const num = (v: string | null): number | null => (v === null ? null : Number(v));

/** Reads every enabled endpoint with its models (one round trip per table). */
export async function loadCatalogSpecs(pool: Pool, orgId: string | null = null): Promise<CatalogEndpointSpec[]> {
  const endpoints = await pool.query(
    `SELECT * FROM catalog_endpoints WHERE enabled AND (org_id IS NULL OR org_id = $1) ORDER BY priority, id`, [orgId]);
  const models = await pool.query(
    `SELECT m.* FROM catalog_models m JOIN catalog_endpoints e ON e.id = m.endpoint_id
      WHERE e.enabled AND (e.org_id IS NULL OR e.org_id = $1) ORDER BY m.endpoint_id, m.model`, [orgId]);
  const byEndpoint = new Map<string, CatalogModelSpec[]>();
  for (const m of models.rows) {
    const list = byEndpoint.get(m.endpoint_id) ?? [];
    list.push({
      model: m.model, upstreamModel: m.upstream_model, kind: m.kind as ModelKind,
      pricing: { inputPerMTok: num(m.input_per_mtok), cachedInputPerMTok: num(m.cached_input_per_mtok), outputPerMTok: num(m.output_per_mtok) },
      contextTokens: m.context_tokens, maxOutputTokens: m.max_output_tokens,
    });
    byEndpoint.set(m.endpoint_id, list);
  }
  return endpoints.rows.map((e) => ({
    id: e.id, provider: e.provider as ProviderKind, displayName: e.display_name, baseUrl: e.base_url,
    credentialsRef: e.credentials_ref, headers: e.headers, azureApiVersion: e.azure_api_version,
    governance: {
      jurisdiction: e.jurisdiction, dataRegions: e.data_regions, zeroDataRetention: e.zero_data_retention,
      trainsOnData: e.trains_on_data, retentionDays: e.retention_days, certifications: e.certifications,
    },
    priority: e.priority, enabled: e.enabled, timeouts: e.timeouts, models: byEndpoint.get(e.id) ?? [],
  }));
}

async function upsertEndpoint(client: PoolClient, spec: CatalogEndpointSpec): Promise<void> {
  const g = spec.governance;
  await client.query(
    `INSERT INTO catalog_endpoints (id, provider, display_name, base_url, credentials_ref, headers, azure_api_version,
        jurisdiction, data_regions, zero_data_retention, trains_on_data, retention_days, certifications, priority, enabled, timeouts, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16, now())
     ON CONFLICT (id) DO UPDATE SET provider = EXCLUDED.provider, display_name = EXCLUDED.display_name,
        base_url = EXCLUDED.base_url, credentials_ref = EXCLUDED.credentials_ref, headers = EXCLUDED.headers,
        azure_api_version = EXCLUDED.azure_api_version, jurisdiction = EXCLUDED.jurisdiction,
        data_regions = EXCLUDED.data_regions, zero_data_retention = EXCLUDED.zero_data_retention,
        trains_on_data = EXCLUDED.trains_on_data, retention_days = EXCLUDED.retention_days,
        certifications = EXCLUDED.certifications, priority = EXCLUDED.priority, enabled = EXCLUDED.enabled,
        timeouts = EXCLUDED.timeouts, updated_at = now()`,
    [spec.id, spec.provider, spec.displayName, spec.baseUrl, spec.credentialsRef, JSON.stringify(spec.headers ?? {}),
      spec.azureApiVersion ?? null, g.jurisdiction, g.dataRegions, g.zeroDataRetention, g.trainsOnData, g.retentionDays,
      g.certifications, spec.priority ?? 100, spec.enabled ?? true, JSON.stringify(spec.timeouts ?? {})],
  );
  await client.query('DELETE FROM catalog_models WHERE endpoint_id = $1', [spec.id]);
  for (const m of spec.models) {
    await client.query(
      `INSERT INTO catalog_models (endpoint_id, model, upstream_model, kind, input_per_mtok, cached_input_per_mtok,
          output_per_mtok, context_tokens, max_output_tokens) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [spec.id, m.model, m.upstreamModel ?? m.model, m.kind, m.pricing.inputPerMTok, m.pricing.cachedInputPerMTok,
        m.pricing.outputPerMTok, m.contextTokens ?? null, m.maxOutputTokens ?? null],
    );
  }
}

/** Writes endpoints (and replaces their model lists) in one transaction. */
export async function upsertCatalog(pool: Pool, specs: readonly CatalogEndpointSpec[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const spec of specs) await upsertEndpoint(client, spec);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** True when the catalog table has no rows yet (first start: seed the defaults). */
export async function catalogIsEmpty(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query('SELECT NOT EXISTS (SELECT 1 FROM catalog_endpoints) AS empty');
  return rows[0].empty as boolean;
}
