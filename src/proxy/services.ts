import type { Logger } from 'pino';
import type { KeyStore } from '../identity';
import type { CatalogService } from '../catalog';
import type { CircuitBreakers } from '../routing';
import type { GatewayMetrics } from '../http';
import type { SpendGuard, UsageLedger } from '../spend';
import type { ProviderAdapter, ProviderKind } from '../providers';
import type { GovernanceServices } from './governance';
import type { AuditProducer } from '../audit';

/** Everything the data plane needs, built once by the composition root (src/server.ts). */
export interface DataPlaneServices {
  keys: KeyStore;
  catalog: CatalogService;
  breakers: CircuitBreakers;
  metrics: GatewayMetrics;
  usage: UsageLedger;
  spend: SpendGuard;
  logger: Logger;
  adapterFor: (kind: ProviderKind) => ProviderAdapter;
  bodyLimitBytes: number;
  /** The audit log producer; null only where no audit log is configured (never in serve/demo). */
  audit: AuditProducer | null;
  /** Policy decisions and PII handling. */
  governance: GovernanceServices;
  /** Counts requests in flight so a graceful shutdown can wait for them (streams included). */
  inflight: { add(): void; done(): void };
}
