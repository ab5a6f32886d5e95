import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** The flags every headless Chromium here needs: no sandbox as root, and no calls to the network it cannot reach. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it) through playwright-core, which
 * never downloads a browser of its own. Throws with the fix when Chromium is missing: a browser test must fail, not
 * skip, where it cannot run.
 */
export async function launchChromium(): Promise<Browser> {
  let executablePath: string;
  try {
    executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install -y chromium');
  }
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}
