import { ensureSystemPackages } from './systemPackages.js';

/** Before any test runs: every system package the suite needs is installed, or the run stops saying how. */
export default function setup(): void {
  ensureSystemPackages();
}
