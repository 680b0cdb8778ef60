/**
 * `conn.reducers` / `test.reducers`: one function per callable reducer, and for
 * any other name a function that rejects with a `ReducerError` naming it and the
 * reducers that exist, instead of JavaScript's "is not a function".
 */
import { unknownReducer } from '../codec/args';

// Names that libraries probe on any object (promises, JSON, test matchers, React, inspectors): left undefined.
const PROBED = new Set(['then', 'toJSON', 'asymmetricMatch', 'nodeType', 'tagName', 'constructor', 'prototype', 'length']);

/**
 * Wraps `calls` (frozen) so that an unknown reducer name yields a function that rejects, naming it
 * and the reducers there are (`names`: by default every key; aliases left out when given).
 */
export function reducerCalls<T>(calls: Record<string, (...args: never[]) => Promise<void>>, names: readonly string[] = Object.keys(calls)): T {
  const known = Object.freeze({ ...calls });
  return new Proxy(known, {
    get(target, key, receiver) {
      if (typeof key !== 'string' || Object.hasOwn(target, key) || PROBED.has(key) || /^[$@_]/.test(key) || key in target) return Reflect.get(target, key, receiver);
      return () => Promise.reject(unknownReducer(key, names));
    },
  }) as T;
}
