/**
 * Lockstep: a database that lives in the browser tab. This is the public API of
 * modules (tables, types, reducers) and, as it lands, of the client.
 */
export { t, ScheduleAt, TypeBuilder } from './schema/type-builders';
export type { ColumnFlags, ColumnMeta, IndexAlgorithm, Infer, InferObject, InferEnum, InferResult, Unit, BuilderMap } from './schema/type-builders';
export { table, TableDef } from './schema/table';
export type { TableOptions, IndexOption, ConstraintOption, TableSchema, ColumnSchema, IndexSchema, RowOf, InsertOf, WithUnique } from './schema/table';
export { schema, Schema } from './schema/schema';
export type { ReducerDef, ReducerKind, ReducerFn, ScheduleOptions, ContextOf, ReducerCtx, SchemaType } from './schema/schema';
export { loadModule } from './schema/module';
export { MAX_ARGUMENT_BYTES } from './codec/args';
export type { ModuleDef, ModuleReducer } from './schema/module';
export type { CallOptions, CallArgs, ModuleDb, ReducerCalls, ReducerArgs, CallableReducerName, TablesOf } from './schema/module-types';
export { Range } from './schema/range';
export type { Bound } from './schema/range';
export type {
  DbOf,
  TableHandle,
  TableHandleOf,
  UniqueIndexHandle,
  PrimaryKeyHandle,
  IndexHandle,
  ReducerContext,
  AuthCtx,
  Random,
  ModuleLogger,
} from './schema/handles';
export type { TypeDesc, FieldDesc, VariantDesc } from './schema/type-desc';
// Value classes, with SpacetimeDB's names and methods.
export { Identity } from './values/identity';
export { ConnectionId } from './values/connection-id';
export { Timestamp, TimeDuration } from './values/time';
export { Uuid } from './values/uuid';
export type { UuidVersion } from './values/uuid';
export { toCamelCase } from './schema/names';
export type { CamelCase } from './schema/names';
export {
  LockstepError,
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
  ERROR_CODES,
} from './errors';
export type { LockstepErrorName, LockstepErrorCode, ErrorDetails } from './errors';
export type { Hash } from './codec/hash';

// ---- Client: connect() from the UI thread (lib/client) ----
export { connect } from './client/connection';
export type { Connection, ConnectionStatus, Divergence, ModuleLogLine, ModuleDescription, ImportOptions } from './client/connection';
export type { ConnectionRoomStatus, RoomProblemReason } from './client/room-diagnosis';
export type { ConnectOptions, MessagePortLike, PeersOption, RtcConfig } from './client/options';
export { websocketSignaling, broadcastSignaling, manualSignaling, SignalingError } from './signal/browser';
export type { Signaling, SignalEvent, ManualSignaling } from './signal/browser';
export type { SubscriptionHandle } from './client/subscription';
export { DbConnection, DbConnectionBuilder } from './client/builder';
export type { ErrorContext } from './client/builder';
export type { SubscriptionBuilder, SubscriptionEventContext } from './client/builder-subscription';
export type {
  ClientDb,
  ClientTableOf,
  ClientTable,
  ClientTableWithPrimaryKey,
  ClientUniqueIndex,
  ClientIndex,
  ClientEvent,
  EventContext,
  RowCallback,
  UpdateCallback,
} from './client/client-types';
export type { Durability, SqlResult, InspectResult, CommittedEntry, ImportResult } from './host/client-protocol';

// Queries: the shapes of one-off results and live changes (lockstep/testing's sql and subscribe return them).
export type { QueryParams, QueryOptions, ExplainOptions, SubscribeOptions, Subscription } from './query/query-engine';
export type { SubscriptionChange, ChangeListener } from './query/live-plan';
export type { QueryResult } from './query/execute';

// Schema migration on open (see serve(module, { onSchemaMismatch })).
export type { Migration, OldDatabase } from './log/migrate';
