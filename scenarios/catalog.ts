import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A scenario `pnpm scenario` can run. */
export interface ScenarioEntry {
  /** `fan-out` (cross-app) or `<app>:<name>` (`orderbook:fanout`). */
  readonly name: string;
  /** The script to run. */
  readonly path: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const scripts = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
        .map((file) => file.slice(0, -3))
    : [];

/**
 * Every scenario: the cross-app ones in scenarios/, each app's in apps/<app>/scenarios/ (named `<app>:<name>`), the
 * cluster ones (every app on several nodes) in scenarios/ as `cluster-<name>.ts` (`cluster:<name>`), and app
 * scenarios still kept in scenarios/ as `<app>-<name>.ts`.
 */
export function listScenarios(): ScenarioEntry[] {
  const entries: ScenarioEntry[] = [];
  for (const name of scripts(`${root}scenarios`)) {
    if (name === 'index' || name === 'catalog') continue;
    const app = /^(orderbook|auction|iot|chat|portal|cluster)-(.+)$/.exec(name);
    entries.push({ name: app === null ? name : `${app[1]}:${app[2]}`, path: `${root}scenarios/${name}.ts` });
  }
  for (const app of readdirSync(`${root}apps`)) {
    for (const name of scripts(`${root}apps/${app}/scenarios`))
      entries.push({ name: `${app}:${name}`, path: `${root}apps/${app}/scenarios/${name}.ts` });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/** The scenario called `name` (`<app>:<name>`, or `<app>-<name>` as it was once written). */
export function findScenario(name: string): ScenarioEntry | undefined {
  const wanted = name.replace(/^(orderbook|auction|iot|chat|portal|cluster)-/, '$1:');
  return listScenarios().find((entry) => entry.name === wanted);
}
