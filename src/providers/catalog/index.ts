/** Catalog data shipped with the gateway: the default providers and the demo endpoints on the mock provider. */
export { defaultCatalogSpecs } from './default';
export { demoCatalogSpecs, MOCK_DEMO_KEY } from './demo';
