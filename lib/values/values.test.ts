import { describe, expect, it } from 'vitest';
import { DeterminismError } from '../errors';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { createTestDatabase } from '../testing/test-database';
import { ConnectionId } from './connection-id';
import { Identity } from './identity';
import { TimeDuration, Timestamp } from './time';
import { Uuid } from './uuid';

const HEX = '00'.repeat(31) + 'ff';

describe('Identity and ConnectionId', () => {
  it('parse hex or bigint, compare with isEqual, print as hex', () => {
    const a = new Identity(HEX);
    expect(a.isEqual(new Identity(255n))).toBe(true);
    expect(a.isEqual(Identity.zero())).toBe(false);
    expect(a.toHexString()).toBe(HEX);
    expect(`${a}`).toBe(HEX);
    expect(a.__identity__).toBe(255n);
    expect(Identity.fromString(`0x${HEX.toUpperCase()}`).isEqual(a)).toBe(true);
    expect(a.toUint8Array().at(-1)).toBe(255);
    expect(new ConnectionId(7n).toHexString()).toBe('0'.repeat(31) + '7');
    expect(ConnectionId.fromStringOrNull('0'.repeat(32))).toBeNull();
    expect(new ConnectionId(255n).isEqual(new ConnectionId('0'.repeat(30) + 'ff'))).toBe(true);
    expect(a.isEqual(new ConnectionId(255n) as never)).toBe(false);
  });

  it('refuse text that is not an id of their width, naming it', () => {
    expect(() => new Identity('abc')).toThrow('Identity: expected 64 hex digits, got "abc"');
    expect(() => new ConnectionId(-1n)).toThrow('ConnectionId: -1 does not fit in 128 bits');
  });
});

describe('Timestamp, TimeDuration and Uuid', () => {
  it('convert between microseconds, Date and ISO text', () => {
    const ts = new Timestamp(1_767_225_600_123_456n);
    expect(ts.microsSinceUnixEpoch).toBe(1_767_225_600_123_456n);
    expect(ts.toMillis()).toBe(1_767_225_600_123n);
    expect(ts.toDate().toISOString()).toBe('2026-01-01T00:00:00.123Z');
    expect(ts.toISOString()).toBe('2026-01-01T00:00:00.123456Z');
    expect(Timestamp.fromDate(new Date(0)).isEqual(Timestamp.UNIX_EPOCH)).toBe(true);
    expect(ts.since(Timestamp.UNIX_EPOCH).micros).toBe(1_767_225_600_123_456n);
    expect(TimeDuration.fromMillis(1.5).micros).toBe(1500n);
    expect(new TimeDuration(-2_500_000n).toString()).toBe('-2.500000');
  });

  it('parse and order UUIDs', () => {
    const u = Uuid.parse('0190A0B0-0000-7000-8000-000000000001');
    expect(u.toString()).toBe('0190a0b0-0000-7000-8000-000000000001');
    expect(u.getVersion()).toBe('V7');
    expect(Uuid.NIL.getVersion()).toBe('Nil');
    expect(u.compareTo(Uuid.NIL)).toBe(1);
    expect(new Uuid(u.asBigInt()).isEqual(u)).toBe(true);
    expect(() => Uuid.parse('nope')).toThrow('Uuid.parse: not a UUID: "nope"');
  });
});

const owned = table({ name: 'owned', public: true }, {
  id: t.u32().primaryKey(),
  owner: t.identity().index(),
  made: t.timestamp(),
  took: t.option(t.timeDuration()),
  ref: t.uuid(),
});
const db = schema({ owned });
const module = {
  default: db,
  add: db.reducer({ id: t.u32(), took: t.option(t.timeDuration()) }, (ctx, { id, took }) => {
    ctx.db.owned.insert({ id, owner: ctx.sender, made: ctx.timestamp, took, ref: ctx.newUuidV7() });
  }),
  mine: db.reducer({ id: t.u32() }, (ctx, { id }) => {
    const row = ctx.db.owned.id.find(id);
    if (row === null || !row.owner.isEqual(ctx.sender)) throw new Error('not mine');
    ctx.db.owned.id.update({ ...row, made: new Timestamp(row.made.microsSinceUnixEpoch + 1n) });
  }),
  clock: db.reducer(() => void Timestamp.now()),
};

describe('value classes in rows, arguments and ctx', () => {
  it('stores them in plain form and gives them back as classes', async () => {
    const test = createTestDatabase(module);
    const alice = test.identity('alice');
    await test.reducers.add({ id: 1, took: new TimeDuration(5n) }, { sender: alice });
    const row = test.db.owned.id.find(1)!;
    expect(row.owner).toBeInstanceOf(Identity);
    expect(row.owner.isEqual(alice)).toBe(true);
    expect(row.made.isEqual(test.now)).toBe(true);
    expect(row.took).toEqual(new TimeDuration(5n));
    expect(row.ref.getVersion()).toBe('V7');
    expect([...test.db.owned.owner.filter(alice)].map((r) => r.id)).toEqual([1]);
    expect(test.sql('SELECT owner FROM owned')).toEqual([{ owner: alice.toHexString() }]);
  });

  it('lets a reducer compare identities with isEqual and write a new Timestamp', async () => {
    const test = createTestDatabase(module);
    await test.reducers.add({ id: 1, took: undefined }, { sender: test.identity('alice') });
    await expect(test.reducers.mine({ id: 1 }, { sender: test.identity('bob') })).rejects.toThrow('not mine');
    await test.reducers.mine({ id: 1 }, { sender: test.identity('alice') });
    expect(test.db.owned.id.find(1)!.made.microsSinceUnixEpoch).toBe(test.now.microsSinceUnixEpoch + 1n);
  });

  it('refuses Timestamp.now() inside a reducer, pointing at ctx.timestamp', async () => {
    const test = createTestDatabase(module);
    const error = await test.reducers.clock().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeterminismError);
    expect((error as Error).message).toMatch(/ctx\.timestamp/);
  });
});
