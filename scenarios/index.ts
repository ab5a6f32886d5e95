/**
 * @twohop/scenarios — what every scenario shares, wherever it lives (`scenarios/` for the cross-app ones,
 * `apps/<app>/scenarios/` for an app's): talking to its forked processes, the shared bystander process, and where
 * each scenario is.
 */
import { fileURLToPath } from 'node:url';

export { answerCpu, cpuOf, loadAverage, pinToCore, reply, sleep } from './servers/ipc.js';
export { codesText, hostilePhases, type PhaseSummary } from './servers/hostilePhases.js';
export {
  attackInvariants,
  bystanderInvariants,
  hostileCharts,
  phaseReportTable,
  phaseTable,
  type FloodResult,
  type GeneratedResult,
  type PhaseRow,
} from './servers/hostileReport.js';
export { findScenario, listScenarios, type ScenarioEntry } from './catalog.js';

/** The path of a process shared by several apps' scenarios (`requestBystander.ts`, …), to fork. */
export const sharedProcess = (file: string): string =>
  fileURLToPath(new URL(`./servers/${file}`, import.meta.url));
