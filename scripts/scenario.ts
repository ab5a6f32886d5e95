/**
 * `pnpm scenario <name> [args…]`: runs a scenario — a cross-app one from scenarios/ (`fan-out`) or an app's from
 * apps/<app>/scenarios/ (`orderbook:fanout`); with no name, lists them.
 */
import { findScenario, listScenarios } from '@twohop/scenarios';
import { spawn } from 'node:child_process';

const [requested, ...args] = process.argv.slice(2).filter((arg) => arg !== '--');
const scenario = requested === undefined ? undefined : findScenario(requested);

if (scenario === undefined) {
  const names = listScenarios().map((entry) => entry.name);
  console.log(`usage: pnpm scenario <name> [args…]\nscenarios: ${names.join(', ')}`);
  process.exit(requested === undefined ? 0 : 2);
}
const child = spawn(process.execPath, ['--import', 'tsx', scenario.path, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
