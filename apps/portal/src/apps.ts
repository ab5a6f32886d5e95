import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** An app as its package.json describes it under `twohop`. */
export interface AppEntry {
  readonly name: string;
  readonly title: string;
  readonly port: number;
  readonly summary: string;
}

/** Every app in apps/ that declares a `twohop` entry (title, default port, summary), sorted by port. */
export function discoverApps(appsDir = fileURLToPath(new URL('../../', import.meta.url))): AppEntry[] {
  const apps: AppEntry[] = [];
  for (const name of readdirSync(appsDir)) {
    try {
      const manifest = JSON.parse(readFileSync(`${appsDir}${name}/package.json`, 'utf8')) as {
        twohop?: { title: string; port: number; summary: string };
      };
      if (manifest.twohop !== undefined) apps.push({ name, ...manifest.twohop });
    } catch {
      // Not an app folder (a README, say).
    }
  }
  return apps.sort((a, b) => a.port - b.port);
}
