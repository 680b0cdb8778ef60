import type { ModuleLogger, Random, ReducerContext } from '../schema/handles';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { createRandom, formatUuid, uuidV7 } from './random';

interface ContextSource {
  readonly sender: Identity;
  readonly connectionId: ConnectionId | null;
  readonly timestamp: bigint;
  readonly seed: bigint;
}

/** `ctx` of one call. The random generator is made on first use: most reducers never ask. */
class Context implements ReducerContext<unknown> {
  private rng: Random | undefined;

  constructor(
    readonly db: unknown,
    private readonly source: ContextSource,
    readonly identity: Identity,
    readonly log: ModuleLogger,
  ) {}

  get sender(): Identity {
    return this.source.sender;
  }

  get connectionId(): ConnectionId | null {
    return this.source.connectionId;
  }

  get timestamp(): bigint {
    return this.source.timestamp;
  }

  get random(): Random {
    return (this.rng ??= createRandom(this.source.seed));
  }

  newUuidV4(): string {
    return formatUuid(this.random.fill(new Uint8Array(16)), 4);
  }

  newUuidV7(): string {
    return uuidV7(this.source.timestamp, this.random);
  }
}

/** Makes the context a reducer receives. */
export function createContext(db: unknown, source: ContextSource, identity: Identity, log: ModuleLogger): ReducerContext<unknown> {
  return new Context(db, source, identity, log);
}
