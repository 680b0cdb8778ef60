import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../log/memory-storage';
import { readDurableTail } from './durable-log';

describe('readDurableTail', () => {
  it('calls a tail incomplete when the entries up to the durable seq were pruned, even when none is left', async () => {
    // A log whose every entry went behind a snapshot at seq 10 (as after an import, or keepEntries 0).
    const storage = new MemoryStorage('tail');
    await storage.commit({ snapshot: { seq: 10, chunks: [] } });
    expect(await readDurableTail(storage, 0, 10)).toEqual({ entries: [], complete: false });
    expect(await readDurableTail(storage, 10, 10)).toEqual({ entries: [], complete: true });
    // Without a seq to reach, an empty tail is all there is.
    expect(await readDurableTail(storage, 0)).toEqual({ entries: [], complete: true });
  });
});
