/** `npm run bench:soak` (main.ts is the entry): options, trend analysis and report, for reuse and tests. */
export { DEFAULT_LIMITS, judge, slope, steadyWindows, trend, type GrowthLimits, type IdleReadings, type SoakSample, type Trend, type Verdict } from './analysis';
export { SOAK_USAGE, parseSoakOptions, type SoakOptions } from './options';
export { CURVE_HEADER, curveRow, formatCurveLine, formatVerdict, soakChart } from './report';
