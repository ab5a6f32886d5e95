import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, type UserConfig } from 'vite';

/** Options for {@link twohopUi}. */
export interface TwohopUiOptions {
  /** The app's folder (`new URL('.', import.meta.url)` in its vite.config.ts): the UI is `src/web`, built into `dist/web`. */
  appDir: URL;
  /** The page title after "twohop · ". */
  title: string;
}

/**
 * The Vite config of a twohop UI: Vue, `src/web` as the root, built into `dist/web` (which the app's server serves
 * at `/`), and one `<head>` for every app (charset, a viewport that works on phones, theme colour, title), so an
 * app's `index.html` holds only its mount point and entry script.
 */
export function twohopUi(options: TwohopUiOptions): UserConfig {
  return {
    root: fileURLToPath(new URL('./src/web', options.appDir)),
    plugins: [vue(), twohopHead(options.title)],
    build: { outDir: fileURLToPath(new URL('./dist/web', options.appDir)), emptyOutDir: true },
  };
}

/**
 * Builds an app's UI with its own `vite.config.ts` (as `pnpm build` does), for tests that serve the built UI and
 * must never run a stale one. The config is loaded through Vite's module runner, which reads the workspace's
 * TypeScript packages as they are.
 */
export async function buildUi(appDir: URL): Promise<void> {
  await build({
    configFile: fileURLToPath(new URL('./vite.config.ts', appDir)),
    configLoader: 'runner',
    logLevel: 'warn',
  });
}

/** Wraps an app's `index.html` body in the shared document and `<head>`. */
export function twohopHead(title: string): Plugin {
  return {
    name: 'twohop-head',
    transformIndexHtml: {
      order: 'pre',
      handler: (body) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="theme-color" content="#0b0e14" />
    <title>twohop · ${escapeHtml(title)}</title>
  </head>
  <body>
${body.trim()}
  </body>
</html>
`,
    },
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
