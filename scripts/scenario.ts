/**
 * `pnpm scenario <name> [args…]` (or `<app>:<name>`): runs scenarios/<name>.ts (or <app>-<name>.ts); with no name,
 * lists the scenarios.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const names = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => file.slice(0, -3));
// `<app>:<name>` names an app's scenario, kept in scenarios/<app>-<name>.ts.
const [requested, ...args] = process.argv.slice(2).filter((arg) => arg !== '--');
const name = requested?.replace(':', '-');

if (name === undefined || !names.includes(name)) {
  const shown = names.map((scenario) => scenario.replace(/^(orderbook|auction|iot|chat)-/, '$1:'));
  console.log(`usage: pnpm scenario <name> [args…]\nscenarios: ${shown.join(', ')}`);
  process.exit(name === undefined ? 0 : 2);
}
const child = spawn(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
