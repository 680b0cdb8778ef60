import { describe, expect, it, vi } from 'vitest';
import { ValueError } from '../errors';
import { connectFake, HOST_IDENTITY } from '../client/fake-host.test-util';
import * as m from '../client/test-module.test-util';
import type { CommittedEntry, ImportResult } from '../host/client-protocol';

const entry = (seq: number): CommittedEntry => ({
  seq,
  epoch: 1,
  reducer: 'set_gold',
  internal: false,
  sender: HOST_IDENTITY,
  connectionId: null,
  callId: undefined,
  timestamp: 1n,
  args: { id: 1, gold: 2 },
  outcome: { ok: true },
  changes: [{ table: 'player', inserts: 1, deletes: 1 }],
  durationMs: 0.25,
});

describe('the devtools part of a connection', () => {
  it('describes the module as the host announced it, private tables and every reducer kind included', async () => {
    const { conn } = await connectFake(m);
    const { tables, reducers } = conn.describe();
    expect(tables.map((t) => [t.name, t.public])).toEqual([['player', true], ['score', true], ['secret', false]]);
    expect(reducers.find((r) => r.name === 'add_player')).toMatchObject({ kind: 'reducer', params: [{ name: 'id' }, { name: 'name' }, { name: 'gold' }] });
    expect(reducers.find((r) => r.name === 'setup')?.kind).toBe('init');
  });

  it('asks the host for committed entries while a callback listens, once for many, and stops after the last leaves', async () => {
    const { host, conn } = await connectFake(m);
    const seen: number[][] = [[], []];
    const offA = conn.onCommit((e) => seen[0]!.push(e.seq));
    const offB = conn.onCommit((e) => seen[1]!.push(e.seq));
    const start = await host.next('watch-commits');
    expect(start.watch).toBe(true);
    host.reply(start);
    host.send({ type: 'commit', entry: entry(7) });
    await vi.waitFor(() => expect(seen[1]).toEqual([7]));
    offA();
    offA();
    host.send({ type: 'commit', entry: entry(8) });
    await vi.waitFor(() => expect(seen[1]).toEqual([7, 8]));
    offB();
    const stop = await host.next('watch-commits');
    expect(stop.watch).toBe(false);
    expect(seen).toEqual([[7], [7, 8]]);
    expect(host.received.filter((x) => x.type === 'watch-commits')).toHaveLength(2);
  });

  it('exports and imports through the host, and refuses anything but bytes before sending', async () => {
    const { host, conn } = await connectFake(m);
    const exporting = conn.exportDatabase();
    host.reply(await host.next('export'), new Uint8Array([1, 2, 3]));
    await expect(exporting).resolves.toEqual(new Uint8Array([1, 2, 3]));

    const result: ImportResult = { seq: 9, backupSeq: 9, rows: { player: 1 }, stateHash: '00ff' };
    const importing = conn.importDatabase(new Uint8Array([4]), { allowReducerChanges: true });
    const request = await host.next('import');
    expect(request).toMatchObject({ bytes: new Uint8Array([4]), allowReducerChanges: true });
    host.reply(request, result);
    await expect(importing).resolves.toEqual(result);

    await expect(conn.importDatabase('backup.lockstep' as unknown as Uint8Array)).rejects.toThrow(new ValueError('importDatabase() takes the bytes of a backup file (a Uint8Array), got string'));
    expect(host.received.filter((x) => x.type === 'import')).toHaveLength(1);
  });
});
