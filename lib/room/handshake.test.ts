import { describe, expect, it } from 'vitest';
import { IncompatiblePeerError, ValueError } from '../errors';
import { loadModule, type ModuleDef } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { checkHandshake, compareVersions, describeModule, PROTOCOL_VERSION, type ModuleFingerprint } from './handshake';

const message = table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.string() });
const room = table({ name: 'room' }, { name: t.string().primaryKey() });

/** The chat module, built fresh each time: same declarations, same reducer source. */
function chat(): ModuleDef {
  const db = schema({ message, room });
  const send = db.reducer({ text: t.string() }, (ctx, { text }) => {
    ctx.db.message.insert({ id: 0n, text });
  });
  const clear = db.reducer((ctx) => {
    for (const row of ctx.db.message.iter()) ctx.db.message.delete(row);
  });
  return loadModule({ default: db, send, clear });
}

/** The chat module with one reducer's body edited. */
function chatWithEditedSend(): ModuleDef {
  const db = schema({ message, room });
  const send = db.reducer({ text: t.string() }, (ctx, { text }) => {
    ctx.db.message.insert({ id: 0n, text: text.trim() });
  });
  const clear = db.reducer((ctx) => {
    for (const row of ctx.db.message.iter()) ctx.db.message.delete(row);
  });
  return loadModule({ default: db, send, clear });
}

/** A module of the given message table and no reducers. */
function withMessage(def: ReturnType<typeof table>): ModuleDef {
  return loadModule({ default: schema({ message: def, room }) });
}

const plain = () => withMessage(message);

function refusal(local: ModuleFingerprint, remote: ModuleFingerprint, other?: string): IncompatiblePeerError {
  try {
    checkHandshake(local, remote, other === undefined ? {} : { remote: other });
  } catch (error) {
    expect(error).toBeInstanceOf(IncompatiblePeerError);
    return error as IncompatiblePeerError;
  }
  throw new Error('checkHandshake accepted the peer');
}

const short = (hash: string) => hash.slice(0, 8);
const moduleTail = (a: ModuleFingerprint, b: ModuleFingerprint, other = 'the other peer') => `[module ${short(a.moduleHash)} here, ${short(b.moduleHash)} on ${other}]`;
const fullTail = (a: ModuleFingerprint, b: ModuleFingerprint, other = 'the other peer') =>
  `[module ${short(a.moduleHash)} here, ${short(b.moduleHash)} on ${other}; schema ${short(a.schemaHash)} here, ${short(b.schemaHash)} on ${other}]`;

describe('describeModule', () => {
  it('gives two builds of the same module the same SHA-256 hashes, and the handshake passes both ways', async () => {
    const [a, b] = await Promise.all([describeModule(chat()), describeModule(chat())]);
    expect(a.moduleHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.schemaHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.moduleHash).not.toBe(a.schemaHash);
    expect(b).toEqual(a);
    expect(a.protocol).toBe(PROTOCOL_VERSION);
    expect(a.reducers.map((r) => [r.name, r.kind])).toEqual([['clear', 'reducer'], ['send', 'reducer']]);
    expect(() => checkHandshake(a, b)).not.toThrow();
    expect(() => checkHandshake(b, a)).not.toThrow();
  });

  it('changes the module hash but not the schema hash when a reducer body is edited', async () => {
    const [a, b] = await Promise.all([describeModule(chat()), describeModule(chatWithEditedSend())]);
    expect(b.schemaHash).toBe(a.schemaHash);
    expect(b.moduleHash).not.toBe(a.moduleHash);
    expect(b.reducers.find((r) => r.name === 'clear')?.hash).toBe(a.reducers.find((r) => r.name === 'clear')?.hash);
    expect(b.reducers.find((r) => r.name === 'send')?.hash).not.toBe(a.reducers.find((r) => r.name === 'send')?.hash);
  });

  it('keeps the schema hash when tables are declared in another order, but not the module hash', async () => {
    const a = await describeModule(loadModule({ default: schema({ message, room }) }));
    const b = await describeModule(loadModule({ default: schema({ room, message }) }));
    expect(b.schemaHash).toBe(a.schemaHash);
    expect(b.moduleHash).not.toBe(a.moduleHash);
    expect(refusal(a, b).message).toBe(
      'The module code differs while the schema is the same: the tables are declared in a different order (message, room on this peer, room, message on the other peer). ' +
        "Neither side can be told newer: declare the app's version (describeModule's `version`) and bump it with every change to the module. " +
        moduleTail(a, b),
    );
  });

  it('changes the schema hash when a column default changes', async () => {
    const a = await describeModule(withMessage(table({ name: 'message', public: true }, { id: t.u64().primaryKey(), text: t.string().default('') })));
    const b = await describeModule(withMessage(table({ name: 'message', public: true }, { id: t.u64().primaryKey(), text: t.string().default('?') })));
    expect(b.schemaHash).not.toBe(a.schemaHash);
    const error = refusal(a, b);
    expect(error.message).toBe(
      'The schemas differ: column "message.text" has a different default on each side. ' +
        "Neither side can be told newer: declare the app's version (describeModule's `version`) and bump it with every change to the module. " +
        fullTail(a, b),
    );
    expect([error.table, error.column]).toEqual(['message', 'text']);
  });

  it('keeps the declared version and refuses an empty or non-finite one', async () => {
    expect((await describeModule(plain(), '2.1.0')).version).toBe('2.1.0');
    expect('version' in (await describeModule(plain()))).toBe(false);
    await expect(describeModule(plain(), '')).rejects.toThrow(ValueError);
    await expect(describeModule(plain(), Number.NaN)).rejects.toThrow('describeModule: the version must be a finite number or a non-empty string, not NaN');
  });
});

describe('checkHandshake says which side is newer', () => {
  it('names the edited reducer and asks for a version when only code differs', async () => {
    const [a, b] = await Promise.all([describeModule(chat()), describeModule(chatWithEditedSend())]);
    const declare = "Neither side can be told newer: declare the app's version (describeModule's `version`) and bump it with every change to the module.";
    expect(refusal(a, b).message).toBe(`The module code differs while the schema is the same: reducer "send" differs. ${declare} ${moduleTail(a, b)}`);
    expect(refusal(b, a).message).toBe(`The module code differs while the schema is the same: reducer "send" differs. ${declare} ${moduleTail(b, a)}`);
  });

  it('names a reducer that only one side has', async () => {
    const db = schema({ message, room });
    const a = await describeModule(loadModule({ default: db }));
    const b = await describeModule(loadModule({ default: db, ping: db.reducer(() => {}) }));
    expect(refusal(a, b, 'the replica').message).toContain('reducer "ping" exists only on the replica.');
    expect(refusal(b, a, 'the replica').message).toContain('reducer "ping" exists only on this peer.');
  });

  it('calls the side with an added column newer, and both sides agree', async () => {
    const older = await describeModule(plain());
    const newer = await describeModule(withMessage(table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.string(), edited: t.bool().default(false) })));
    const onOlder = refusal(older, newer, "the room's authority");
    expect(onOlder.message).toBe(
      `The schemas differ: column "message.edited" exists only on the room's authority; the room's authority's schema only adds to this peer's, so this peer is older; update it. ${fullTail(older, newer, "the room's authority")}`,
    );
    expect([onOlder.table, onOlder.column, onOlder.code]).toEqual(['message', 'edited', 'INCOMPATIBLE_PEER']);
    const onNewer = refusal(newer, older, 'the replica');
    expect(onNewer.message).toBe(
      `The schemas differ: column "message.edited" exists only on this peer; this peer's schema only adds to the replica's, so the replica is older; update it. ${fullTail(newer, older, 'the replica')}`,
    );
  });

  it('calls the side with an added table newer', async () => {
    const older = await describeModule(loadModule({ default: schema({ message }) }));
    const newer = await describeModule(plain());
    expect(refusal(older, newer).message).toMatch(/^The schemas differ: table "room" exists only on the other peer; .* so this peer is older; update it\./);
    expect(refusal(newer, older).message).toMatch(/^The schemas differ: table "room" exists only on this peer; .* so the other peer is older; update it\./);
  });

  it('refuses incompatible schemas on both sides, naming the column, without calling either newer', async () => {
    const a = await describeModule(plain());
    const b = await describeModule(withMessage(table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.u32() })));
    const tail = 'Neither side can migrate to the other automatically; run the same app version on both.';
    const onA = refusal(a, b);
    expect(onA.message).toBe(`The schemas are incompatible: column "message.text" is string on this peer and u32 on the other peer. ${tail} ${fullTail(a, b)}`);
    expect([onA.table, onA.column]).toEqual(['message', 'text']);
    expect(refusal(b, a).message).toBe(`The schemas are incompatible: column "message.text" is u32 on this peer and string on the other peer. ${tail} ${fullTail(b, a)}`);
  });

  it('cannot tell which side is newer when only visibility flipped', async () => {
    const a = await describeModule(plain());
    const b = await describeModule(withMessage(table({ name: 'message' }, { id: t.u64().primaryKey().autoInc(), text: t.string() })));
    expect(refusal(a, b).message).toMatch(/^The schemas differ: table "message" is public on this peer and private on the other peer\. Neither side can be told newer/);
    expect(refusal(b, a).message).toMatch(/^The schemas differ: table "message" is private on this peer and public on the other peer\. Neither side can be told newer/);
  });

  it('decides by protocol first, whatever the versions say', async () => {
    const base = await describeModule(plain(), '9.0.0');
    const next: ModuleFingerprint = { ...(await describeModule(plain(), '1.0.0')), protocol: PROTOCOL_VERSION + 1 };
    const onOld = refusal(base, next, "the room's authority");
    expect(onOld.message).toBe(
      `This peer runs protocol ${PROTOCOL_VERSION}, the room's authority runs protocol ${PROTOCOL_VERSION + 1}: this peer is older; update it. ${moduleTail(base, next, "the room's authority")}`,
    );
    expect(refusal(next, base, 'the replica').message).toBe(
      `This peer runs protocol ${PROTOCOL_VERSION + 1}, the replica runs protocol ${PROTOCOL_VERSION}: the replica is older; update it. ${moduleTail(next, base, 'the replica')}`,
    );
  });

  it('decides by declared version before the schema, and mentions the schema difference', async () => {
    const older = await describeModule(withMessage(table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.string(), edited: t.bool().default(false) })), '1.9.2');
    const newer = await describeModule(plain(), '1.10.0');
    expect(refusal(older, newer).message).toBe(
      `This peer runs app version "1.9.2", the other peer runs "1.10.0": this peer is older; update it. The schemas differ: column "message.edited" exists only on this peer. ${fullTail(older, newer)}`,
    );
    expect(refusal(newer, older).message).toBe(
      `This peer runs app version "1.10.0", the other peer runs "1.9.2": the other peer is older; update it. The schemas differ: column "message.edited" exists only on the other peer. ${fullTail(newer, older)}`,
    );
  });

  it('refuses differing versions even when the modules are identical', async () => {
    const [a, b] = await Promise.all([describeModule(chat(), 3), describeModule(chat(), 10)]);
    expect(a.moduleHash).toBe(b.moduleHash);
    expect(refusal(a, b).message).toBe(`This peer runs app version 3, the other peer runs 10: this peer is older; update it. ${moduleTail(a, b)}`);
    expect(refusal(b, a).message).toBe(`This peer runs app version 10, the other peer runs 3: the other peer is older; update it. ${moduleTail(b, a)}`);
  });

  it('accepts equal versions of the same module, and asks for a bump when equal versions hide a code change', async () => {
    const [a, b, edited] = await Promise.all([describeModule(chat(), '2.0'), describeModule(chat(), '2.0'), describeModule(chatWithEditedSend(), '2.0')]);
    expect(() => checkHandshake(a, b)).not.toThrow();
    expect(refusal(a, edited).message).toBe(
      `The module code differs while the schema is the same: reducer "send" differs. Both declare app version "2.0": bump the version with every change to the module. ${moduleTail(a, edited)}`,
    );
  });

  it('falls back to the schema when only one side declares a version', async () => {
    const older = await describeModule(plain(), 5);
    const newer = await describeModule(withMessage(table({ name: 'message', public: true }, { id: t.u64().primaryKey().autoInc(), text: t.string(), edited: t.bool().optional() })));
    expect(refusal(older, newer).message).toContain("so this peer is older; update it.");
    expect(refusal(newer, older).message).toContain('so the other peer is older; update it.');
  });
});

describe('compareVersions', () => {
  it.each([
    [1, 2, -1],
    [10, 3, 1],
    [2.5, 2.5, 0],
    ['1.10.0', '1.9.9', 1],
    ['1.2', '1.2.1', -1],
    ['1.02', '1.2', 0],
    ['2', 2, 0],
    ['1.0.0-beta', '1.0.0-alpha', 1],
    ['99999999999999999999.1', '99999999999999999999.0', 1],
  ] as const)('orders %s against %s as %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });
});
