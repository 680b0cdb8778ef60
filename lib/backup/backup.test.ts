import { describe, expect, it } from 'vitest';
import { DecodeError, SchemaError } from '../errors';
import { loadModule } from '../schema/module';
import { schema } from '../schema/schema';
import { table } from '../schema/table';
import { t } from '../schema/type-builders';
import { describeModule } from '../room/handshake';
import { checkBackupFits, decodeBackup, encodeBackup, type BackupHeader } from './backup';

const item = (columns = { id: t.u64().primaryKey(), name: t.string(), big: t.u128().default(5n) }) => table({ name: 'item', public: true }, columns);
const base = schema({ item: item() });
const here = await describeModule(loadModule({ default: base, add: base.reducer({ name: t.string() }, () => {}) }), '1.0');

const header = (module = here): BackupHeader => ({ format: 1, database: 'shop', exportedAt: '2026-01-01T00:00:00.000Z', seq: 12, stateHash: '0123456789abcdef', rows: { item: 2 }, module });

describe('the backup file', () => {
  it('round-trips its header (bigint defaults included) and its chunks', () => {
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([9])];
    const decoded = decodeBackup(encodeBackup({ header: header(), chunks }));
    expect(decoded.header).toEqual(header());
    expect(decoded.header.module.tables[0]!.columns[2]!.defaultValue).toBe(5n);
    expect(decoded.chunks).toEqual(chunks);
  });

  it('refuses a file that is not a backup, a newer format, a truncated or padded one, or a header without its fields', () => {
    const bytes = encodeBackup({ header: header(), chunks: [new Uint8Array([1, 2, 3])] });
    expect(() => decodeBackup(new TextEncoder().encode('not a backup at all'))).toThrow(DecodeError);
    expect(() => decodeBackup(new TextEncoder().encode('not a backup at all'))).toThrow('This file is not a Lockstep backup: it does not start with "LOCKSTEP BACKUP" (19 bytes)');
    const newer = bytes.slice();
    newer[16] = 2;
    expect(() => decodeBackup(newer)).toThrow('This backup has format 2, written by a newer Lockstep; this one reads format 1 and older');
    expect(() => decodeBackup(bytes.slice(0, -1))).toThrow(/The backup is truncated: chunk 0 needs 3 bytes at byte \d+/);
    expect(() => decodeBackup(new Uint8Array([...bytes, 0]))).toThrow('1 unexpected bytes after its last chunk');
    const noSeq = encodeBackup({ header: { ...header(), seq: -1 }, chunks: [] });
    expect(() => decodeBackup(noSeq)).toThrow('The backup\'s header has no valid "seq"');
    expect(() => decodeBackup('text' as unknown as Uint8Array)).toThrow('A backup is a Uint8Array');
  });
});

describe('checking that a backup fits the module', () => {
  it('accepts a backup of the same module', () => {
    expect(() => checkBackupFits(header(), here)).not.toThrow();
  });

  it('names the table and column of other tables, and what changed', async () => {
    const changed = schema({ item: item({ id: t.u64().primaryKey(), name: t.string(), big: t.u64().default(5n) }), extra: table({ name: 'extra' }, { k: t.u8() }) });
    const other = await describeModule(loadModule({ default: changed }));
    let error: unknown;
    try {
      checkBackupFits(header(other), here);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaError);
    expect(error).toMatchObject({ table: 'extra' });
    expect((error as Error).message).toBe('Cannot import this backup of "shop": it was exported from a module with other tables: table "extra" exists only in the backup; column "item.big" is u64 in the backup and u128 here. Import it into the app (module) it was exported from.');
  });

  it('names the reducers that differ, and accepts them when told to', async () => {
    const other = await describeModule(loadModule({ default: base, add: base.reducer({ name: t.string() }, (ctx) => void ctx), remove: base.reducer(() => {}) }), '0.9');
    expect(() => checkBackupFits(header(other), here)).toThrow(
      'its tables match, but it was exported by another version of the module\'s code: reducer "add" differs; reducer "remove" exists only in the backup (version 0.9 in the backup, 1.0 here). If only the reducers\' code changed since, import it with { allowReducerChanges: true }.',
    );
    expect(() => checkBackupFits(header(other), here, { allowReducerChanges: true })).not.toThrow();
  });
});
