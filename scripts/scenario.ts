/** `pnpm scenario <name> [args…]`: runs scenarios/<name>.ts; with no name, lists the scenarios. */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const names = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => file.slice(0, -3));
const [name, ...args] = process.argv.slice(2).filter((arg) => arg !== '--');

if (name === undefined || !names.includes(name)) {
  console.log(`usage: pnpm scenario <name> [args…]\nscenarios: ${names.join(', ')}`);
  process.exit(name === undefined ? 0 : 2);
}
const child = spawn(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
