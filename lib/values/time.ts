/**
 * A span of time in microseconds (`t.timeDuration()` values, `ScheduleAt.interval`).
 * @example
 * const minute = TimeDuration.fromMillis(60_000);
 */
export class TimeDuration {
  /** The duration in microseconds. */
  readonly __time_duration_micros__: bigint;

  /** @param micros - the duration in microseconds */
  constructor(micros: bigint) {
    if (typeof micros !== 'bigint') throw new TypeError(`TimeDuration: expected bigint microseconds, got ${typeof micros}`);
    this.__time_duration_micros__ = micros;
  }

  /** The duration in microseconds. */
  get micros(): bigint {
    return this.__time_duration_micros__;
  }

  /** The duration in milliseconds (a float when not whole). */
  get millis(): number {
    return Number(this.__time_duration_micros__) / 1000;
  }

  /** A duration of `millis` milliseconds. */
  static fromMillis(millis: number): TimeDuration {
    return new TimeDuration(BigInt(Math.round(millis * 1000)));
  }

  /** True when both spans are equal. */
  isEqual(other: TimeDuration): boolean {
    return other instanceof TimeDuration && other.__time_duration_micros__ === this.__time_duration_micros__;
  }

  /** `±seconds.micros`, like SpacetimeDB. */
  toString(): string {
    const micros = this.__time_duration_micros__;
    const sign = micros < 0n ? '-' : '+';
    const abs = micros < 0n ? -micros : micros;
    return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
  }
}

/**
 * A point in time, in microseconds since the Unix epoch (`ctx.timestamp`, `t.timestamp()` values).
 * Inside a reducer use `ctx.timestamp`: {@link Timestamp.now} reads the clock and is refused there.
 * @example
 * new Date(row.sent.toDate()).toLocaleTimeString();
 */
export class Timestamp {
  /** Microseconds since the Unix epoch. */
  readonly __timestamp_micros_since_unix_epoch__: bigint;

  /** @param micros - microseconds since the Unix epoch */
  constructor(micros: bigint) {
    if (typeof micros !== 'bigint') throw new TypeError(`Timestamp: expected bigint microseconds, got ${typeof micros}`);
    this.__timestamp_micros_since_unix_epoch__ = micros;
  }

  /** Microseconds since the Unix epoch. */
  get microsSinceUnixEpoch(): bigint {
    return this.__timestamp_micros_since_unix_epoch__;
  }

  /** 1970-01-01T00:00:00Z. */
  static UNIX_EPOCH: Timestamp = new Timestamp(0n);

  /** The clock's current time. Outside reducers only: inside one it throws, use `ctx.timestamp`. */
  static now(): Timestamp {
    return new Timestamp(BigInt(Date.now()) * 1000n);
  }

  /** Whole milliseconds since the Unix epoch. */
  toMillis(): bigint {
    return this.__timestamp_micros_since_unix_epoch__ / 1000n;
  }

  /** The time of a `Date`. */
  static fromDate(date: Date): Timestamp {
    return new Timestamp(BigInt(date.getTime()) * 1000n);
  }

  /** This time as a `Date` (millisecond precision). */
  toDate(): Date {
    return new Date(Number(this.toMillis()));
  }

  /** ISO 8601 with microseconds: `2026-01-01T00:00:00.000000Z`. */
  toISOString(): string {
    const iso = this.toDate().toISOString();
    const micros = ((this.__timestamp_micros_since_unix_epoch__ % 1_000_000n) + 1_000_000n) % 1_000_000n;
    return `${iso.slice(0, 19)}.${micros.toString().padStart(6, '0')}Z`;
  }

  /** The time from `other` to this one. */
  since(other: Timestamp): TimeDuration {
    return new TimeDuration(this.__timestamp_micros_since_unix_epoch__ - other.__timestamp_micros_since_unix_epoch__);
  }

  /** True when both are the same instant. */
  isEqual(other: Timestamp): boolean {
    return other instanceof Timestamp && other.__timestamp_micros_since_unix_epoch__ === this.__timestamp_micros_since_unix_epoch__;
  }

  /** The ISO 8601 spelling. */
  toString(): string {
    return this.toISOString();
  }
}
