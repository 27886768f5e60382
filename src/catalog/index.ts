/** The runtime provider catalog: stored in PostgreSQL, held in memory, reloaded on change via Redis pub/sub. */
export type { CatalogEndpointSpec, CatalogModelSpec, Governance, ModelPricing, ModelKind, ModelRoute, RuntimeEndpoint } from './types';
export { loadCatalogSpecs, upsertCatalog, catalogIsEmpty } from './repository';
export { CatalogSnapshot, envSecretResolver, type SecretResolver } from './snapshot';
export { CatalogService, type CatalogServiceOptions } from './service';
