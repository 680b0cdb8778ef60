import { describe, expect, it } from 'vitest';
import { ConstraintError, SenderError } from '../errors';
import type { ConnectionId, Identity } from '../schema/type-desc';
import { decodeEntries, encodeEntries, failedOutcome, GENESIS, sealEntry, type LogEntry } from './entry';

const base = {
  epoch: 1,
  reducer: 'add',
  args: new Uint8Array([1, 2]),
  sender: 'ab'.repeat(32) as Identity,
  connectionId: 'cd'.repeat(16) as ConnectionId,
  timestamp: 5n,
  seed: 7n,
  internal: false,
  caller: { client: 'c', callId: 3 },
};

describe('log entries of failed calls', () => {
  it('keep the error details (table, column, value, reducer) through encoding, and chain the same after decoding', () => {
    const error = new ConstraintError('dup', { table: 'player', column: 'name', value: '"ann"', reducer: 'add' });
    const first = sealEntry({ ...base, seq: 1, outcome: failedOutcome(error) }, GENESIS);
    const second = sealEntry({ ...base, seq: 2, outcome: failedOutcome(new SenderError('no')) }, first.chain);
    const { entries, error: problem } = decodeEntries(encodeEntries([first, second]), GENESIS);
    expect(problem).toBeUndefined();
    expect(entries.map((e) => e.chained)).toEqual([true, true]);
    expect(entries[0]!.entry.outcome).toEqual({ ok: false, name: 'ConstraintError', message: 'dup', details: { table: 'player', column: 'name', value: '"ann"', reducer: 'add' } });
    expect(entries[1]!.entry.outcome).toEqual({ ok: false, name: 'SenderError', message: 'no' });
    expect(sealEntry(entries[0]!.entry as Omit<LogEntry, 'chain'>, GENESIS).chain).toBe(first.chain);
  });

  it('stops at a failure whose details are cut off', () => {
    const entry = sealEntry({ ...base, seq: 1, outcome: failedOutcome(new ConstraintError('dup', { table: 'player' })) }, GENESIS);
    const bytes = encodeEntries([entry]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(0, view.getUint32(0, true) - 12, true);
    const cut = bytes.subarray(0, bytes.length - 12);
    const { entries, error } = decodeEntries(cut, GENESIS);
    expect(entries).toEqual([]);
    expect(error).toBeDefined();
  });
});
