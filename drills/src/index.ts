export { incidentCategories, type IncidentCategory } from './categories';
export {
  loadScenario,
  loadScenarios,
  parseScenario,
  scenarioSchema,
  type Expectation,
  type Inject,
  type Scenario,
} from './scenario';
export { injectEvents, runDrill, type DrillRunOptions, type DrillRunResult, type TimelineEntry } from './run';
export { scoreRun, type ExpectationResult, type RunScore, type ScoreCategory } from './score';
