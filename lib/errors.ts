/**
 * Every failure Lockstep reports is one of these classes. Each has a stable
 * `name` and `code`, a message that says what happened and what to do, and the
 * table / column / value / position involved where there is one. They are plain
 * data apart from the prototype, so {@link serializeError} / {@link deserializeError}
 * carry them across the worker boundary intact.
 */

/** Stable codes of every Lockstep error. */
export const ERROR_CODES = {
  SenderError: 'SENDER_ERROR',
  InternalError: 'INTERNAL_ERROR',
  ConstraintError: 'CONSTRAINT_VIOLATION',
  ValueError: 'INVALID_VALUE',
  SchemaError: 'INVALID_SCHEMA',
  DecodeError: 'MALFORMED_DATA',
  DeterminismError: 'NONDETERMINISM',
  ReducerError: 'BAD_REDUCER_CALL',
  NotFoundError: 'NOT_FOUND',
  QueryError: 'INVALID_QUERY',
  ClosedError: 'CLOSED',
  IncompatiblePeerError: 'INCOMPATIBLE_PEER',
  SignatureError: 'BAD_SIGNATURE',
  StorageError: 'STORAGE_FAILED',
  UnsupportedEnvironmentError: 'UNSUPPORTED_ENVIRONMENT',
} as const;

/** Name of a Lockstep error class. */
export type LockstepErrorName = keyof typeof ERROR_CODES;
/** Code of a Lockstep error. */
export type LockstepErrorCode = (typeof ERROR_CODES)[LockstepErrorName];

/** Extra facts an error may carry. */
export interface ErrorDetails {
  /** The table involved. */
  readonly table?: string;
  /** The column (or reducer argument) involved. */
  readonly column?: string;
  /** The offending value, as readable text. */
  readonly value?: string;
  /** The reducer involved. */
  readonly reducer?: string;
  /** A 0-based character offset into a query. */
  readonly position?: number;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** Base class of every Lockstep error. */
export abstract class LockstepError extends Error {
  abstract override readonly name: LockstepErrorName;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly value: string | undefined;
  readonly reducer: string | undefined;
  readonly position: number | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.table = details.table;
    this.column = details.column;
    this.value = details.value;
    this.reducer = details.reducer;
    this.position = details.position;
  }

  /** The stable code of this error's class. */
  get code(): LockstepErrorCode {
    return ERROR_CODES[this.name];
  }
}

/**
 * Thrown by a reducer for a mistake of its caller (bad input, not allowed,
 * not found). Rolls the transaction back; the call rejects with this error.
 * @example
 * if (!text) throw new SenderError('Message must not be empty');
 */
export class SenderError extends LockstepError {
  readonly name = 'SenderError';
}

/** A reducer threw something other than a {@link SenderError}: a bug in the module. */
export class InternalError extends LockstepError {
  readonly name = 'InternalError';
}

/** A write broke a primary-key or unique constraint, or updated / deleted a row that is not there. */
export class ConstraintError extends LockstepError {
  readonly name = 'ConstraintError';
}

/** A value does not fit its declared type (out of range, wrong JS type, missing or extra field). */
export class ValueError extends LockstepError {
  readonly name = 'ValueError';
}

/** A schema is invalid (two primary keys, autoInc on a string, …) or changed incompatibly. */
export class SchemaError extends LockstepError {
  readonly name = 'SchemaError';
}

/** Encoded bytes are truncated or malformed. */
export class DecodeError extends LockstepError {
  readonly name = 'DecodeError';
}

/** A reducer used a non-deterministic API (`Math.random`, `Date.now`, timers, …) or returned a Promise. */
export class DeterminismError extends LockstepError {
  readonly name = 'DeterminismError';
}

/** A reducer call was refused before running: unknown name, bad arguments, not callable by clients. */
export class ReducerError extends LockstepError {
  readonly name = 'ReducerError';
}

/** Something named does not exist (a table, a database). */
export class NotFoundError extends LockstepError {
  readonly name = 'NotFoundError';
}

/** A query is invalid; `position` points at the problem. */
export class QueryError extends LockstepError {
  readonly name = 'QueryError';
}

/** The connection or database was closed. */
export class ClosedError extends LockstepError {
  readonly name = 'ClosedError';
}

/**
 * Two peers cannot share a room: they run different protocol versions, app
 * versions or modules. The message says which side is newer (when that can be
 * told) and which one to update.
 */
export class IncompatiblePeerError extends LockstepError {
  readonly name = 'IncompatiblePeerError';
}

/**
 * A signed call or entry batch was refused: the signature does not match, it
 * was signed for another room, or not by the key the receiver expects. The
 * peer that sent it should be dropped.
 */
export class SignatureError extends LockstepError {
  readonly name = 'SignatureError';
}

/**
 * Writing the database's storage failed (quota exceeded, a transaction aborted,
 * storage closed): the calls of that write are not durable, and this database
 * accepts no call until it is opened again. `cause` holds the storage's error.
 */
export class StorageError extends LockstepError {
  readonly name = 'StorageError';
}

/**
 * The page cannot run Lockstep: it is not a secure context (served over plain
 * HTTP from another machine), or the browser lacks Web Locks, `crypto.subtle`,
 * IndexedDB or Web Workers. `connect()` rejects with it before starting anything;
 * the message names what is missing and what to do (serve the app over HTTPS,
 * or open it at `http://localhost`).
 */
export class UnsupportedEnvironmentError extends LockstepError {
  readonly name = 'UnsupportedEnvironmentError';
}

const ERROR_CLASSES: Record<LockstepErrorName, new (message: string, details?: ErrorDetails) => LockstepError> = {
  SenderError,
  InternalError,
  ConstraintError,
  ValueError,
  SchemaError,
  DecodeError,
  DeterminismError,
  ReducerError,
  NotFoundError,
  QueryError,
  ClosedError,
  IncompatiblePeerError,
  SignatureError,
  StorageError,
  UnsupportedEnvironmentError,
};

/** A Lockstep error as plain data, safe for `postMessage` and for encoding. */
export interface SerializedError {
  readonly name: LockstepErrorName;
  readonly message: string;
  readonly details: Omit<ErrorDetails, 'cause'>;
  readonly stack?: string;
}

/** Turns any thrown value into a {@link SerializedError}; non-Lockstep errors become `InternalError`. */
export function serializeError(error: unknown): SerializedError {
  const e = toLockstepError(error);
  const details: Record<string, unknown> = {};
  for (const key of ['table', 'column', 'value', 'reducer', 'position'] as const) {
    if (e[key] !== undefined) details[key] = e[key];
  }
  return e.stack === undefined
    ? { name: e.name, message: e.message, details }
    : { name: e.name, message: e.message, details, stack: e.stack };
}

/** Rebuilds the error class instance from {@link serializeError}'s output. */
export function deserializeError(data: SerializedError): LockstepError {
  const Class = ERROR_CLASSES[data.name] ?? InternalError;
  const error = new Class(data.message, data.details);
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

/** Wraps a non-Lockstep throw as an {@link InternalError} that keeps it as `cause`. */
export function toLockstepError(error: unknown, details: ErrorDetails = {}): LockstepError {
  if (error instanceof LockstepError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new InternalError(message, { ...details, cause: error });
  if (error instanceof Error && error.stack !== undefined) wrapped.stack = error.stack;
  return wrapped;
}

/**
 * A reducer's failure as its caller sees it: any throw becomes a Lockstep error
 * (see {@link toLockstepError}) whose `reducer` is set; a {@link DeterminismError}
 * raised by a guarded global (`Math.random()`, `Date.now()`, …) also names the
 * reducer in its message.
 */
export function inReducer(error: unknown, reducer: string): LockstepError {
  const e = toLockstepError(error, { reducer });
  if (e.reducer !== undefined) return e;
  const message = e instanceof DeterminismError ? `Reducer "${reducer}": ${e.message}` : e.message;
  const named = new ERROR_CLASSES[e.name](message, { ...serializeError(e).details, reducer, ...(e.cause === undefined ? {} : { cause: e.cause }) });
  if (e.stack !== undefined) named.stack = e.stack.replace(e.message, message);
  return named;
}

/** Formats a value for an error message: bigints get an `n`, strings are quoted, long text is cut. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (value instanceof Uint8Array) text = `bytes(${value.length})`;
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'object' && value !== null) {
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    } catch {
      text = Object.prototype.toString.call(value);
    }
  } else text = String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
