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

/** Compiles the codec of a reducer's arguments; `validate` throws a {@link ReducerError} naming the reducer and argument. */
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
      if (parts.check(args)) return;
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
