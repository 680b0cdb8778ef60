import type { AuthCtx, ModuleLogger, Random, ReducerContext } from '../schema/handles';
import type { ConnectionId as ConnectionIdHex, Identity as IdentityHex } from '../schema/type-desc';
import { ConnectionId } from '../values/connection-id';
import { Identity } from '../values/identity';
import { Timestamp } from '../values/time';
import { Uuid } from '../values/uuid';
import { createRandom, formatUuid, uuidV7 } from './random';

interface ContextSource {
  readonly sender: IdentityHex;
  readonly connectionId: ConnectionIdHex | null;
  readonly timestamp: bigint;
  readonly seed: bigint;
  readonly internal?: boolean;
}

/**
 * `ctx` of one call. The call's facts arrive as plain values (as the log records them) and become
 * value classes on first use; the random generator too is made on first use: most reducers never ask.
 */
class Context implements ReducerContext<unknown> {
  #rng: Random | undefined;
  #sender: Identity | undefined;
  #identity: Identity | undefined;
  #timestamp: Timestamp | undefined;
  #connectionId: ConnectionId | null | undefined;
  #auth: AuthCtx | undefined;

  constructor(
    readonly db: unknown,
    private readonly source: ContextSource,
    private readonly databaseHex: IdentityHex,
    readonly log: ModuleLogger,
  ) {}

  get sender(): Identity {
    return (this.#sender ??= new Identity(this.source.sender));
  }

  get databaseIdentity(): Identity {
    return (this.#identity ??= new Identity(this.databaseHex));
  }

  get identity(): Identity {
    return this.databaseIdentity;
  }

  get connectionId(): ConnectionId | null {
    if (this.#connectionId === undefined) this.#connectionId = this.source.connectionId === null ? null : new ConnectionId(this.source.connectionId);
    return this.#connectionId;
  }

  get timestamp(): Timestamp {
    return (this.#timestamp ??= new Timestamp(this.source.timestamp));
  }

  get senderAuth(): AuthCtx {
    return (this.#auth ??= Object.freeze({ isInternal: this.source.internal === true, hasJWT: false, jwt: null }));
  }

  get random(): Random {
    return (this.#rng ??= createRandom(this.source.seed));
  }

  newUuidV4(): Uuid {
    return Uuid.parse(formatUuid(this.random.fill(new Uint8Array(16)), 4));
  }

  newUuidV7(): Uuid {
    return Uuid.parse(uuidV7(this.source.timestamp, this.random));
  }
}

/** Makes the context a reducer receives. */
export function createContext(db: unknown, source: ContextSource, identity: IdentityHex, log: ModuleLogger): ReducerContext<unknown> {
  return new Context(db, source, identity, log);
}
