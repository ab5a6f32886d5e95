import { MAX_VISIBLE, VIEW_RATE_MS } from '../domain/dashboardWire.js';

/** Options for {@link ViewUpdater}. */
export interface ViewUpdaterOptions {
  /** The server's base URL (empty in a page: the page's own origin). */
  url: string;
  viewId: string;
  /** @default VIEW_RATE_MS.default */
  rateMs?: number;
  /** Waits this long after a change for more before telling the server (scrolling changes it every frame). @default 100 */
  delayMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Told when a PUT fails (it is retried with the next change or `resend`). */
  onError?(error: unknown): void;
}

/**
 * Tells the server which devices a view shows (`PUT /api/views/:id`): the newest set only, at most one request in
 * flight, a short debounce while the set keeps changing, and capped at {@link MAX_VISIBLE}.
 */
export class ViewUpdater {
  readonly #options: ViewUpdaterOptions;
  readonly #fetch: typeof fetch;
  #wanted: readonly string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #dirty = false;
  /** Requests sent (for tests and the inspector). */
  sent = 0;

  constructor(options: ViewUpdaterOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The devices on screen now. */
  set(devices: readonly string[]): void {
    this.#wanted = devices.slice(0, MAX_VISIBLE);
    this.resend();
  }

  /** Sends the current set again (after a reconnect to a server that may have lost the view). */
  resend(): void {
    this.#dirty = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.delayMs ?? 100);
  }

  /** Sends the newest set now (waiting for one in flight first); resolves once the server has it. */
  async flush(): Promise<void> {
    while (this.#dirty) {
      if (this.#inFlight !== undefined) {
        await this.#inFlight;
        continue;
      }
      this.#dirty = false;
      this.#inFlight = this.#put(this.#wanted).finally(() => (this.#inFlight = undefined));
      await this.#inFlight;
    }
    await this.#inFlight;
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  async #put(devices: readonly string[]): Promise<void> {
    const { url, viewId, rateMs = VIEW_RATE_MS.default } = this.#options;
    this.sent++;
    try {
      const response = await this.#fetch(`${url}/api/views/${encodeURIComponent(viewId)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ devices, rateMs }),
      });
      if (!response.ok) throw new Error(`PUT view: ${response.status} ${await response.text()}`);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }
}
