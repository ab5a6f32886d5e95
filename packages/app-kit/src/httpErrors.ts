import type { ErrorRequestHandler, RequestHandler } from 'express';

/** The codes app-kit itself answers with; apps add their own (`unauthorized`, `unknown_room`, …). */
export type HttpErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'ui_not_built'
  | 'internal';

/** The body of every HTTP error a twohop app answers: `{"error":{"code","message"}}`. */
export interface HttpErrorBody<Code extends string = string> {
  readonly error: { readonly code: Code; readonly message: string };
}

/**
 * An HTTP error with a stable code, for route handlers to throw (express 5 forwards thrown and rejected errors to
 * the error handler): `throw new HttpError(401, 'unauthorized', 'sign in first')`.
 */
export class HttpError<Code extends string = string> extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `error` is an {@link HttpError}. */
export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;

/** body-parser's error types, as it tags them (`error.type`), and what a client is told for each. */
const bodyErrors: Record<string, { code: HttpErrorCode; message: string }> = {
  'entity.parse.failed': { code: 'invalid_json', message: 'the request body is not valid JSON' },
  'entity.too.large': { code: 'payload_too_large', message: 'the request body is too large' },
  'encoding.unsupported': { code: 'unsupported_media_type', message: 'unsupported content encoding' },
  'charset.unsupported': { code: 'unsupported_media_type', message: 'unsupported charset' },
};

/** Turns whatever reached the error handler into the status and body the client sees — never a stack or a path. */
export function toHttpError(error: unknown): HttpError {
  if (isHttpError(error)) return error;
  const tagged = error as { type?: unknown; status?: unknown; statusCode?: unknown } | null;
  const status = Number(tagged?.status ?? tagged?.statusCode);
  const known = typeof tagged?.type === 'string' ? bodyErrors[tagged.type] : undefined;
  if (known !== undefined)
    return new HttpError(status >= 400 && status < 500 ? status : 400, known.code, known.message);
  if (status === 404) return new HttpError(404, 'not_found', 'not found');
  // Other client errors from express and its middleware (a malformed path, say): their messages may quote the
  // request back, so the client gets a generic one.
  if (status >= 400 && status < 500) return new HttpError(status, 'bad_request', 'bad request');
  return new HttpError(500, 'internal', 'internal error');
}

/** Sends `error` as the JSON error body. */
export function sendHttpError(response: Parameters<RequestHandler>[1], error: HttpError): void {
  const body: HttpErrorBody = { error: { code: error.code, message: error.message } };
  response.status(error.status).json(body);
}

/** The last route: anything no route matched is a JSON 404. */
export const notFoundHandler: RequestHandler = (_request, response) => {
  sendHttpError(response, new HttpError(404, 'not_found', 'not found'));
};

/**
 * The error handler every app ends with: each error becomes `{"error":{"code","message"}}` with a stable code;
 * server faults (5xx) are reported to `report` with their stack, and the client sees only `internal`.
 */
export function errorHandler(report: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    if (httpError.status >= 500) report(error);
    sendHttpError(response, httpError);
  };
}
