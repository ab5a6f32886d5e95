// The default import is the one entry point that works under Node's ESM loader (which reads the CommonJS build)
// and under bundlers (which read the ES module build) alike.
import jsonPatch from 'fast-json-patch';
import type { StateModel } from './StateModel.js';

const { applyOperation, deepClone, escapePathComponent, unescapePathComponent } = jsonPatch;

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object: the root of hierarchical stream state. */
export type JsonObject = { [key: string]: Json };

/**
 * The idempotent subset of JSON Patch (RFC 6902) that hierarchical streams use: `add` / `replace` set the value at
 * a path, `remove` deletes it. Paths address object members only (no array indices, no `-`), because an index
 * means "whatever is at that position now", which is not idempotent and cannot be conflated by path.
 */
export type KeyedPatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: Json }
  | { readonly op: 'remove'; readonly path: string };

/** Names that could reach an object's prototype; a path containing one is refused. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Builds a JSON Pointer from object member names, escaping `~` and `/`. */
export function pointer(...segments: string[]): string {
  return segments.map((segment) => `/${escapePathComponent(segment)}`).join('');
}

/** Splits and checks a JSON Pointer; throws on anything but a non-empty path of safe member names. */
function segmentsOf(path: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`JSON Patch path must start with "/": ${String(path)}`);
  }
  const segments = path.slice(1).split('/').map(unescapePathComponent);
  for (const segment of segments) {
    if (FORBIDDEN_SEGMENTS.has(segment))
      throw new TypeError(`JSON Patch path segment not allowed: ${segment}`);
  }
  return segments;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Makes every ancestor of `segments` a JSON object, keeping objects that exist and replacing anything else.
 * Every operation does this first, set and remove alike, so an operation's effect never depends on which earlier
 * operations a conflated delta left out — that is what lets a queue merge patches by path.
 */
function ensureParents(document: JsonObject, segments: readonly string[]): void {
  let node = document;
  for (const segment of segments.slice(0, -1)) {
    const child = node[segment];
    if (isObject(child)) {
      node = child;
    } else {
      const created: JsonObject = {};
      node[segment] = created;
      node = created;
    }
  }
}

function validate(operation: KeyedPatchOperation): string[] {
  if (operation.op !== 'add' && operation.op !== 'replace' && operation.op !== 'remove') {
    throw new TypeError(
      `JSON Patch op not allowed on keyed paths: ${String((operation as { op: unknown }).op)}`,
    );
  }
  if ((operation.op === 'add' || operation.op === 'replace') && operation.value === undefined) {
    throw new TypeError(`JSON Patch ${operation.op} needs a value`);
  }
  return segmentsOf(operation.path);
}

/**
 * The {@link StateModel} of hierarchical state: a JSON object changed by {@link KeyedPatchOperation}s, applied with
 * fast-json-patch. Values are cloned on the way in and out, so the state never shares objects with a delta (which a
 * publisher also keeps in its history) or a snapshot.
 */
export function jsonPatchState(): StateModel<JsonObject, readonly KeyedPatchOperation[], JsonObject> {
  return {
    create: () => ({}),
    apply(document, operations) {
      const checked = operations.map((operation) => ({ operation, segments: validate(operation) }));
      for (const { operation, segments } of checked) {
        ensureParents(document, segments);
        if (operation.op === 'remove') {
          const parent = segments
            .slice(0, -1)
            .reduce<JsonObject>((node, s) => node[s] as JsonObject, document);
          if (!Object.hasOwn(parent, segments[segments.length - 1] ?? '')) continue;
          applyOperation(document, { op: 'remove', path: operation.path }, false, true);
        } else {
          applyOperation(
            document,
            { op: 'add', path: operation.path, value: deepClone(operation.value) },
            false,
            true,
          );
        }
      }
    },
    snapshot: (document) => deepClone(document) as JsonObject,
    restore: (data) => deepClone(data) as JsonObject,
    // Paths nest, so the queue must keep each path's last operation in order of last update.
    splitter: {
      split: (operations) => operations,
      keyOf: (operation: KeyedPatchOperation) => operation.path,
      join: (operations) => operations as KeyedPatchOperation[],
      order: 'last-updated',
    },
  };
}
