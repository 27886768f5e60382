/**
 * Policy simulation: a sample request, or recorded requests replayed from the audit log,
 * evaluated under the published policy and a draft side by side, listing the decisions that
 * would change. Also the decision comparison that shadow mode uses on live traffic.
 */
export { summarize, evaluateSummary, compareSummaries, type DecisionSummary, type DecisionChange } from './summary';
export { sampleInput, sampleRequestSchema, candidatesFor, SYNTHETIC_KEY_ID, type SampleRequest, type SampleInput, type SamplePrincipal } from './sample';
export {
  loadRequestEvents, loadReplayDirectory, replayInput, REPLAY_LIMITATIONS, REQUEST_EVENT_TYPES,
  type ReplayedRequest, type ReplayDirectory,
} from './replay';
export {
  runSimulation, compareOn, oncePerWorkspace,
  type PolicyPair, type PairProvider, type SimulatedResult, type SimulationReport,
} from './run';
