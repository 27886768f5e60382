import type { Pool } from 'pg';
import { generateApiKey, hashApiKey, lookupIdOf } from './api-key-format';
import { insertKey, type ApiKeyRecord } from '../db';
import type { Workspace } from '../db';

export interface CreateApiKeyInput {
  workspace: Workspace;
  name: string;
  allowedModels?: string[] | null;
  expiresAt?: Date | null;
  /** Import a known key (the demo's GATEHOUSE_DEMO_API_KEY) instead of generating one. */
  presetKey?: string;
  metadata?: Record<string, unknown>;
}

export interface CreatedApiKey {
  /** The only time the full key exists outside the caller's hands. */
  key: string;
  record: ApiKeyRecord;
}

export async function createApiKey(pool: Pool, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  let key: string;
  let lookupId: string;
  let hash: Buffer;
  if (input.presetKey !== undefined) {
    const presetLookup = lookupIdOf(input.presetKey);
    if (!presetLookup) throw new Error('a preset API key must look like gh_ followed by 32-128 letters, digits, - or _');
    key = input.presetKey;
    lookupId = presetLookup;
    hash = hashApiKey(key);
  } else {
    ({ key, lookupId, hash } = generateApiKey());
  }
  const record = await insertKey(pool, {
    workspace: input.workspace, name: input.name, lookupId, hash,
    allowedModels: input.allowedModels, expiresAt: input.expiresAt, metadata: input.metadata,
  });
  return { key, record };
}
