/**
 * The client's view of the module's reducers: which ones it may call, and their
 * argument checks, so a bad call is refused before anything is sent.
 */
import { compileArgs, unknownReducer } from '../codec/args';
import type { RowCodec } from '../codec/row';
import { ReducerError } from '../errors';
import type { HelloResult } from '../host/client-protocol';
import { storedConverter, type Convert } from '../values/convert';

/** The reducers the host announced, with compiled argument checks. */
export class ReducerCatalog {
  private readonly codecs = new Map<string, RowCodec>();
  private readonly toStored = new Map<string, Convert>();
  private readonly others = new Map<string, string>();

  constructor(reducers: HelloResult['reducers'] = []) {
    for (const reducer of reducers) {
      if (reducer.kind === 'reducer') {
        this.codecs.set(reducer.name, compileArgs(reducer.name, reducer.params));
        const convert = storedConverter({ kind: 'object', name: reducer.name, fields: reducer.params }, true);
        if (convert !== undefined) this.toStored.set(reducer.name, convert);
      } else this.others.set(reducer.name, reducer.kind === 'scheduled' ? 'it is a scheduled reducer' : `it is the ${reducer.kind} lifecycle reducer`);
    }
  }

  /** Names of the reducers clients may call. */
  names(): IterableIterator<string> {
    return this.codecs.keys();
  }

  /**
   * The arguments of a call as sent: value classes and safe JS integers for 64-bit arguments
   * become the plain form; then {@link ReducerCatalog.check}ed.
   */
  prepare(name: string, args: unknown): Readonly<Record<string, unknown>> {
    const convert = this.toStored.get(name);
    const stored = (convert === undefined ? args : convert(args)) as Readonly<Record<string, unknown>>;
    this.check(name, stored);
    return stored;
  }

  /**
   * Throws a {@link ReducerError} naming the reducer, and the argument when there
   * is one, unless `name` is a callable reducer and `args` fit its parameters.
   * The messages are the engine's, so a call fails the same way on either side.
   */
  check(name: string, args: unknown): void {
    const codec = this.codecs.get(name);
    if (codec === undefined) {
      const why = this.others.get(name);
      if (why !== undefined) throw new ReducerError(`Reducer "${name}" cannot be called by clients: ${why}`, { reducer: name });
      throw unknownReducer(name, this.codecs.keys());
    }
    codec.validate(args);
  }
}
