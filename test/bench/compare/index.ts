/** `npm run bench:compare` (main.ts is the entry): its options, systems and report, for reuse and tests. */
export { COMPARE_USAGE, SYSTEM_IDS, SYSTEM_LABELS, parseCompareOptions, type CompareLoad, type CompareOptions, type SystemId } from './options';
export { figures, formatCompareTable, latencyChart, scenarioKey, systemsDocument, type CompareRun, type ScenarioFigures, type SystemFigures } from './report';
export { prepareGatehouse, startGatehouse, startPortkey, startSystems, type System, type Systems } from './systems';
