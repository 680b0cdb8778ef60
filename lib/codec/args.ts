/**
 * The arguments of a reducer call: compiled like a row, but errors speak of
 * arguments and name the reducer once (`Bad arguments for reducer "add":
 * args: missing argument "name"`). The engine and the client share these, so a
 * call fails the same way on either side.
 */
import { ReducerError, ValueError } from '../errors';
import type { FieldDesc } from '../schema/type-desc';
import { recordParts } from './codec';
import { NOWHERE, explainOrThrow } from './compiled';
import type { RowCodec } from './row';
import { Writer } from './buffer';

/**
 * The most bytes a call's arguments may encode to (1 MiB): a call is a log entry that every
 * tab and peer keeps and replays, so larger data belongs in many rows over many calls.
 */
export const MAX_ARGUMENT_BYTES = 1024 * 1024;

/**
 * Compiles the codec of a reducer's arguments; `validate` throws a {@link ReducerError} naming
 * the reducer and argument, or the size when the arguments encode to more than {@link MAX_ARGUMENT_BYTES}.
 */
export function compileArgs(reducer: string, params: readonly FieldDesc[]): RowCodec {
  const list = params.length === 0 ? 'no arguments' : `arguments ${params.map((p) => p.name).join(', ')}`;
  // `table` is only the key that makes the parts set `column` (the argument) on their errors; it is not passed on.
  const parts = recordParts(`an object with ${list}`, params, 'argument', reducer);
  return {
    table: reducer,
    columns: params,
    encode: parts.encode,
    decode: parts.decode as RowCodec['decode'],
    check: parts.check as RowCodec['check'],
    validate(args) {
      if (parts.check(args)) return checkSize(reducer, parts.encode, args);
      try {
        explainOrThrow(parts, { kind: 'object', name: 'args', fields: params }, args, 'args', NOWHERE);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        throw new ReducerError(`Bad arguments for reducer "${reducer}": ${error.message}`, {
          reducer,
          ...(error.column === undefined ? {} : { column: error.column }),
          ...(error.value === undefined ? {} : { value: error.value }),
          cause: error,
        });
      }
    },
  };
}

/** The error of a call to a reducer the module does not have, listing the ones clients may call. */
export function unknownReducer(name: string, callable: Iterable<string>): ReducerError {
  const names = [...callable];
  return new ReducerError(`No reducer named "${name}"; the module has: ${names.join(', ') || '(none)'}`, { reducer: name });
}

/** An upper bound of a value's encoded size, counted only until it passes `budget` (strings at 3 bytes a character). */
function roughSize(value: unknown, budget: number): number {
  if (typeof value === 'string') return 5 + value.length * 3;
  if (value instanceof Uint8Array) return 5 + value.length;
  if (typeof value !== 'object' || value === null) return 17;
  let size = 5;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    size += roughSize(item, budget - size);
    if (size > budget) return size;
  }
  return size;
}

/** Refuses arguments that encode to more than {@link MAX_ARGUMENT_BYTES}, naming the reducer, the size and the limit. */
function checkSize(reducer: string, encode: RowCodec['encode'], args: unknown): void {
  if (roughSize(args, MAX_ARGUMENT_BYTES) <= MAX_ARGUMENT_BYTES) return;
  const writer = new Writer(1024);
  encode(writer, args as Record<string, unknown>);
  const bytes = writer.length;
  if (bytes <= MAX_ARGUMENT_BYTES) return;
  throw new ReducerError(`Bad arguments for reducer "${reducer}": they encode to ${bytes.toLocaleString('en')} bytes, over the limit of ${MAX_ARGUMENT_BYTES.toLocaleString('en')} per call (MAX_ARGUMENT_BYTES): split the data over several calls and rows`, { reducer, value: `${bytes} bytes` });
}
