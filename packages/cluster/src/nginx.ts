import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxConfig, type NginxConfigOptions } from './nginxConfig.js';
import { ChildOutput, stopChild } from './process.js';

/** An nginx this process started. */
export interface NginxServer {
  readonly pid: number;
  /** Its prefix directory, holding `nginx.conf`, its pid file and temp paths. */
  readonly dir: string;
  readonly configPath: string;
  /** What it wrote to stdout and stderr (the last lines). */
  output(): string;
  /** Stops it by its PID (SIGTERM, then SIGKILL after 5 s) and removes its directory if it made it. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startNginx}: the configuration's, without the directory unless you want one kept. */
export interface NginxOptions extends Omit<NginxConfigOptions, 'dir'> {
  /** Where its configuration and files go (kept after stop). @default a new temp dir, removed after stop */
  readonly dir?: string;
  /** The nginx binary. @default 'nginx' (Debian's, in /usr/sbin) */
  readonly command?: string;
  /** How long it may take to listen on every site's port. @default 10000 */
  readonly readyTimeoutMs?: number;
}

/** Whether something accepts TCP connections at host:port now. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * Starts Debian's nginx in the foreground (`nginx -e stderr -p DIR -c DIR/nginx.conf`) with {@link nginxConfig}'s
 * configuration, and resolves once every site's port accepts connections; rejects with its output if it exits first
 * (a port in use, a bad configuration). Run as root, its worker runs as `nobody`, so the directory is world-readable.
 */
export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  for (const site of options.sites)
    if (await accepts(site.listen.host, site.listen.port))
      throw new Error(`nginx cannot listen on ${site.listen.host}:${site.listen.port}: something else does`);
  const owned = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'twohop-nginx-'));
  mkdirSync(join(dir, 'temp'), { recursive: true });
  chmodSync(dir, 0o755);
  const configPath = join(dir, 'nginx.conf');
  writeFileSync(configPath, nginxConfig({ ...options, dir }));
  const child = spawn(options.command ?? 'nginx', ['-e', 'stderr', '-p', dir, '-c', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = new ChildOutput(child);
  const cleanUp = () => {
    if (owned) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  for (const site of options.sites) {
    while (!(await accepts(site.listen.host, site.listen.port))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await stopChild(child);
        cleanUp();
        throw new Error(
          `nginx did not listen on ${site.listen.host}:${site.listen.port}:\n${output.text() || '(no output)'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const stop = async () => {
    await stopChild(child);
    cleanUp();
  };
  return {
    pid: child.pid!,
    dir,
    configPath,
    output: () => output.text(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
