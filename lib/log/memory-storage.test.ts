import { describe, expect, it } from 'vitest';
import { MemoryStorage, memoryStorageOpener } from './memory-storage';
import { storageContract } from './storage-contract';

describe('MemoryStorage passes the storage contract', () => {
  for (const { name, run } of storageContract) {
    it(name, () => run(memoryStorageOpener()));
  }
});

describe('MemoryStorage', () => {
  it('names the overlapping segments when it refuses a commit', async () => {
    const storage = new MemoryStorage('db');
    await storage.commit({ segments: [{ firstSeq: 1, lastSeq: 10, bytes: new Uint8Array(1) }] });
    await expect(storage.commit({ segments: [{ firstSeq: 10, lastSeq: 12, bytes: new Uint8Array(1) }] })).rejects.toThrow(
      'segment 10..12 overlaps the stored segment 1..10',
    );
  });

  it('names the storage when used after close', async () => {
    const storage = new MemoryStorage('chat');
    storage.close();
    await expect(storage.readMeta('epoch')).rejects.toThrow('Storage "chat" is closed');
  });

  it('refuses a whole commit fenced below the stored epoch, and accepts one at or above it', async () => {
    const storage = new MemoryStorage('db');
    await storage.commit({ meta: { epoch: 3 } });
    const segment = { firstSeq: 1, lastSeq: 1, bytes: new Uint8Array(1) };
    await expect(storage.commit({ segments: [segment], meta: { epoch: 2 }, fenceEpoch: 2 })).rejects.toThrow('the stored epoch 3 is newer than this writer\'s epoch 2');
    expect(await storage.readSegments(0)).toEqual([]);
    expect(await storage.readMeta('epoch')).toBe(3);
    await storage.commit({ segments: [segment], fenceEpoch: 3 });
    expect(await storage.readSegments(0)).toHaveLength(1);
  });
});
