import type { Server } from 'node:http';

/** Something that can tell its clients to go and then close (the socket.io and SSE bindings, a bus, a store). */
export interface Closeable {
  close(deadlineMs?: number): Promise<void> | void;
}

/** Options for {@link gracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** The HTTP server to stop accepting on. */
  server: Server;
  /** Closed in order after the server stops accepting: bindings first (they notify clients), then stores. */
  closeables: Closeable[];
  /** The whole shutdown's time limit; past it, remaining connections are cut. @default 10000 */
  deadlineMs?: number;
  /** Where to say what happens. @default console.log */
  log?: (line: string) => void;
  /** Called at the end (tests pass a spy). @default process.exit */
  exit?: (code: number) => void;
  /** The signals that start the shutdown. @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[];
}

/**
 * On SIGINT or SIGTERM: stop accepting connections, tell every client to reconnect elsewhere (`server_shutdown`),
 * close what must be flushed, and exit — within a deadline. Returns the function it runs, for tests and for
 * callers that stop for other reasons.
 */
export function gracefulShutdown(options: GracefulShutdownOptions): (signal?: string) => Promise<void> {
  const {
    server,
    closeables,
    deadlineMs = 10_000,
    log = console.log,
    exit = (code) => process.exit(code),
  } = options;
  let running: Promise<void> | undefined;
  const shutdown = (signal = 'shutdown') => {
    running ??= (async () => {
      log(`stopping… (${signal}: clients are told to reconnect elsewhere)`);
      const deadline = setTimeout(() => {
        log(`shutdown deadline of ${deadlineMs} ms passed; cutting remaining connections`);
        server.closeAllConnections();
        exit(1);
      }, deadlineMs);
      deadline.unref();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const closeable of closeables) await closeable.close(deadlineMs);
      server.closeIdleConnections();
      await stopped;
      clearTimeout(deadline);
      log('stopped');
      exit(0);
    })();
    return running;
  };
  // `on`, not `once`: a Ctrl-C often arrives twice (from the terminal and from the pnpm that started the process),
  // and a second signal must not kill the process halfway through its shutdown.
  for (const signal of options.signals ?? ['SIGINT', 'SIGTERM'])
    process.on(signal, () => void shutdown(signal));
  return shutdown;
}
