import type { TransportFactory } from '@twohop/client';
import type { RunningApp } from './AppAdapter.js';
import type { Canary } from './Property.js';
import { resetBeforeScrape, rewriteReplies, rewriteRequests } from './serverEdge.js';

/**
 * The canaries: each removes exactly one behaviour a property names, at the server's edge or in the adapter, and the
 * suite requires the property to fail on it. None changes what an app does when it is not applied.
 */

/** The server never hears a resume position: every (re)subscribe or re-join starts from scratch. */
export const ignoresResume: Canary = {
  name: 'the server ignores resume',
  break(app) {
    // Every way the app resumes: a stream's subscribe, and a history's catch-up request.
    const resumes = [
      ...(app.stream !== undefined ? [{ event: 'subscribe', fields: ['resume'] }] : []),
      ...(app.requests !== undefined ? [app.requests.resume] : []),
    ];
    const forget = (name: string, payload: Record<string, unknown>) => {
      for (const { event, fields } of resumes)
        if (name === event) for (const field of fields) delete payload[field];
    };
    rewriteRequests(app.io, forget);
    app.rewriteFollowerRequests?.(forget);
  },
};

/** A catch-up is answered with nothing: every resume position is moved past the end of the history. */
export const catchUpAnswersNothing: Canary = {
  name: 'a gap is never filled (catch-up answers nothing)',
  break(app) {
    const resume = app.requests?.resume;
    rewriteRequests(app.io, (name, payload) => {
      if (name !== resume?.event) return;
      for (const field of resume.fields) if (payload[field] !== undefined) payload[field] = 2 ** 31;
    });
  },
};

/** The client's resync request is lost on the way: a replica that found a gap never gets its fresh snapshot. */
export const resyncLost: Canary = {
  name: 'a gap is never resynced (resync requests are lost)',
  break(app) {
    const stream = app.stream;
    if (stream === undefined) return app;
    const transport = (): TransportFactory => {
      const factory = stream.transport();
      return () => ({ ...factory(), resync: () => Promise.resolve({ ok: true }) });
    };
    return { ...app, stream: { ...stream, transport } };
  },
};

/** The stall request does nothing: the connection stays writable throughout. */
export const stallIgnored: Canary = {
  name: 'the stall is a no-op',
  break(app) {
    const stream = app.stream;
    if (stream === undefined) return app;
    return { ...app, stream: { ...stream, stallRequest: () => stream.stallRequest(0) } };
  },
};

/** A stalled subscriber's queue keeps every delta whole: it grows with the changes, not the keys. */
export const queueUnbounded: Canary = {
  name: 'the queue is never conflated',
  break(app) {
    app.stream?.unconflate();
  },
};

/** Requests get no reply at all. */
export const noReply: Canary = {
  name: 'the server never replies',
  break(app) {
    rewriteReplies(app.io, () => () => undefined);
  },
};

/** Refusals carry no error code. */
export const noErrorCodes: Canary = {
  name: 'refusals carry no error code',
  break(app) {
    rewriteReplies(app.io, (send) => (reply) => {
      const refused = reply as { ok?: unknown; error?: { message?: unknown } } | undefined;
      send(refused?.ok === false ? { ok: false, error: { message: refused.error?.message } } : reply);
    });
  },
};

/** The heartbeat the properties use: the server beats every 200 ms, a client gives up after 1 s of silence. */
export const HEARTBEAT = { beatMs: 200, boundMs: 1_000 };

/** The server sends no heartbeat (its interval is an hour): only the client's bound is left. */
export const noHeartbeat: Canary = {
  name: 'the server sends no heartbeat',
  options: { heartbeat: { beatMs: 3_600_000, boundMs: HEARTBEAT.boundMs } },
};

/** `/metrics` serves every metric, but nothing is ever counted. */
export const metricsNeverCounted: Canary = {
  name: 'metrics are never counted',
  break(app) {
    resetBeforeScrape(app.http, app.registry);
  },
};

/** Shutdown is a crash: connections are cut with no notice. */
export const noGracefulClose: Canary = {
  name: 'shutdown cuts connections without notice',
  break: (app): RunningApp => ({ ...app, stop: app.crash }),
};

/** The server holds whatever a reader that does not read is sent: no bound on the request path. */
export const replyBoundRemoved: Canary = {
  name: 'the server holds unbounded replies for a reader that does not read',
  options: { unboundedReplies: true },
};
