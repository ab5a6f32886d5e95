import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, createWebApp, HttpError, startApp, type HttpErrorBody } from '../src/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Sends `path` exactly as written (fetch would normalise `..` and percent-escapes away). */
function raw(port: number, method: string, path: string, body?: string, type = 'application/json') {
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { 'content-type': type } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] ?? '', text }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function demo() {
  const faults: unknown[] = [];
  const kit = createWebApp({
    name: 'demo',
    webRoot: new URL('./fixtures/web/', import.meta.url),
    logger: { error: (error: unknown) => void faults.push(error) },
  });
  kit.routes.post('/api/echo', (request, response) => void response.json(request.body));
  kit.routes.get('/api/private', () => {
    throw new HttpError(401, 'unauthorized', 'sign in first');
  });
  kit.routes.get('/api/broken', () => {
    throw new Error(`cannot open ${process.cwd()}/secret.db`);
  });
  const app = await startApp(kit);
  cleanups.push(() => app.close());
  return { app, faults };
}

/** The JSON error body, after checking it is one and carries nothing from the server's inside. */
function errorOf(reply: { type: string; text: string }): HttpErrorBody['error'] {
  expect(reply.type).toMatch(/^application\/json/);
  expect(reply.text).not.toMatch(/<html|<pre|\bat \w|node_modules|\/work\/|\/home\/|\/root\//i);
  expect(reply.text).not.toContain(process.cwd());
  const body = JSON.parse(reply.text) as HttpErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  return body.error;
}

describe('every HTTP error is JSON with a stable code', () => {
  it('a malformed JSON body is 400 invalid_json, an oversized one 413 payload_too_large', async () => {
    const { app } = await demo();
    const malformed = await raw(app.port, 'POST', '/api/echo', '{"user": "ann",');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe('invalid_json');
    const big = await raw(app.port, 'POST', '/api/echo', JSON.stringify({ text: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(errorOf(big).code).toBe('payload_too_large');
    // A well-formed body still goes through.
    const fine = await raw(app.port, 'POST', '/api/echo', '{"user":"ann"}');
    expect([fine.status, JSON.parse(fine.text)]).toEqual([200, { user: 'ann' }]);
  });

  it('unknown routes and hostile paths are JSON 4xx, never a file from outside the UI folder', async () => {
    const { app } = await demo();
    for (const path of [
      '/no/such/route',
      '/../../../../etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/package.json',
      '/%E0%A4%A',
      '/%00',
      '/index.html%00.js',
      `/${'a/'.repeat(500)}`,
    ]) {
      const reply = await raw(app.port, 'GET', path);
      expect(reply.status, path).toBeGreaterThanOrEqual(400);
      expect(reply.status, path).toBeLessThan(500);
      expect(['not_found', 'bad_request'], path).toContain(errorOf(reply).code);
      expect(reply.text, path).not.toContain('root:');
    }
    const post = await raw(app.port, 'DELETE', '/healthz');
    expect([post.status, errorOf(post).code]).toEqual([404, 'not_found']);
  });

  it('a thrown HttpError keeps its code; a fault is 500 internal, reported with its stack but not sent', async () => {
    const { app, faults } = await demo();
    const refused = await raw(app.port, 'GET', '/api/private');
    expect([refused.status, errorOf(refused)]).toEqual([
      401,
      { code: 'unauthorized', message: 'sign in first' },
    ]);
    const broken = await raw(app.port, 'GET', '/api/broken');
    expect([broken.status, errorOf(broken)]).toEqual([500, { code: 'internal', message: 'internal error' }]);
    expect(faults).toHaveLength(1);
    expect(String((faults[0] as Error).stack)).toContain('secret.db');
  });
});

describe('what every app serves', () => {
  it('/healthz, /metrics, the favicon, and the UI at /', async () => {
    const { app } = await demo();
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({
      status: 'ok',
      mode: 'embedded',
      node: app.server.runtime.node,
    });
    const metrics = await fetch(`${app.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('twohop_connected_clients');
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const icon = await fetch(`${app.url}${path}`);
      expect([icon.status, icon.headers.get('content-type')], path).toEqual([
        200,
        'image/svg+xml; charset=utf-8',
      ]);
      expect(await icon.text()).toContain('<svg');
    }
    expect(await (await fetch(`${app.url}/`)).text()).toContain('fixture UI');
  });

  it('says how to build the UI while it is missing, as a JSON 503', async () => {
    const app = await startApp(
      createWebApp({ name: 'bare', webRoot: '/nonexistent/dist/web', uiHint: 'pnpm build' }),
    );
    cleanups.push(() => app.close());
    const reply = await fetch(`${app.url}/`);
    expect(reply.status).toBe(503);
    expect(await reply.json()).toEqual({
      error: { code: 'ui_not_built', message: 'the UI is not built yet: run `pnpm build`' },
    });
  });
});

describe('createApp', () => {
  it('gives the app an in-process bus (embedded mode) and closes it with the app', async () => {
    const app = await startApp(createApp({ name: 'bus-demo' }));
    const position = await app.server.bus.append('demo:a', { key: 'x', value: 1 });
    expect(position.seq).toBe(1);
    await app.close();
    await expect(app.server.bus.append('demo:a', {})).rejects.toMatchObject({ code: 'closed' });
  });
});
