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
});
