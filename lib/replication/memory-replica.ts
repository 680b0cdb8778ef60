import type { Hash } from '../codec/hash';
import { Engine, type LogRecord } from '../engine/engine';
import { applyEntry, type Divergence } from '../log/apply';
import { GENESIS, type LogEntry } from '../log/entry';
import { recordCall, recoverLog } from '../log/recovery';
import { compareSchemas } from '../log/schema-diff';
import { loadSnapshot, type LedgerEntry } from '../log/snapshot';
import type { Storage } from '../log/storage';
import type { ModuleDef } from '../schema/module';
import type { TableSchema } from '../schema/table';
import type { Identity } from '../schema/type-desc';
import { stateHash } from '../store/state-hash';
import { storedEpoch } from './durable-log';
import type { FollowerTarget } from './follower';

/** Options of {@link MemoryReplica.open}. */
export interface MemoryReplicaOptions {
  /** Read only: a replica never writes. */
  readonly storage: Storage;
  readonly identity: Identity;
  readonly log?: (record: LogRecord) => void;
  /** The state now lives in another engine (a snapshot replaced it). */
  readonly onEngine?: (engine: Engine) => void;
}

/**
 * A replica tab's state: an engine loaded from storage (read only), kept up to
 * date in memory by a `Follower` through the one apply path.
 */
export class MemoryReplica implements FollowerTarget {
  private seqValue: number;
  private chainValue: Hash;

  private constructor(
    public engine: Engine,
    private readonly options: MemoryReplicaOptions,
    state: { readonly seq: number; readonly chain: Hash },
    readonly ledger: Map<string, LedgerEntry>,
    /** The highest epoch stored: messages of lower ones are stale. */
    readonly epoch: number,
  ) {
    this.seqValue = state.seq;
    this.chainValue = state.chain;
  }

  /** Loads the latest durable state (snapshot + log) from storage. */
  static async open(module: ModuleDef, options: MemoryReplicaOptions): Promise<MemoryReplica> {
    const engine = newEngine(module, options);
    const stored = (await options.storage.readMeta('schema')) as TableSchema[] | undefined;
    // A stored schema that differs is the leader's to migrate: start empty and catch up from it.
    const same = stored !== undefined && compareSchemas(stored, module.tables).kind === 'same';
    const recovered = same ? await recoverLog(options.storage, engine.store) : undefined;
    engine.scheduler.rebuild(recovered?.lastTimestamp ?? 0n);
    const epoch = Math.max(recovered?.epoch ?? 0, await storedEpoch(options.storage));
    return new MemoryReplica(engine, options, { seq: recovered?.seq ?? 0, chain: recovered?.chain ?? GENESIS }, recovered?.ledger ?? new Map(), epoch);
  }

  get seq(): number {
    return this.seqValue;
  }

  get chain(): Hash {
    return this.chainValue;
  }

  /** The storage this replica loaded from (read only). */
  get storage(): Storage {
    return this.options.storage;
  }

  /** A hash of the whole state. */
  stateHash(): Hash {
    return stateHash(this.engine.store);
  }

  append(entry: LogEntry, chained: boolean): Divergence | undefined {
    const applied = applyEntry(this.engine, entry, this, chained);
    if (!applied.ok) return applied.divergence;
    // A failed call changed nothing, but it is a step of the log and of the ledger.
    recordCall(this.ledger, entry);
    this.seqValue = entry.seq;
    this.chainValue = entry.chain;
    return undefined;
  }

  load(chunks: readonly Uint8Array[]): void {
    const engine = newEngine(this.engine.module, this.options);
    const header = loadSnapshot(engine.store, chunks);
    engine.scheduler.rebuild(0n);
    this.engine = engine;
    this.seqValue = header.seq;
    this.chainValue = header.chain;
    this.ledger.clear();
    for (const [client, last] of header.ledger) this.ledger.set(client, last);
    this.options.onEngine?.(engine);
  }
}

function newEngine(module: ModuleDef, options: MemoryReplicaOptions): Engine {
  return new Engine(module, { identity: options.identity, ...(options.log === undefined ? {} : { log: options.log }) });
}
