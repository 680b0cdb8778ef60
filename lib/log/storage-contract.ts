/**
 * The behaviour every {@link Storage} must have, as framework-free cases. Vitest
 * runs them against `MemoryStorage`; Playwright runs the same cases against the
 * IndexedDB store inside a real Chromium worker. A case throws on failure.
 *
 * The harness passes `open`: each name must start empty the first time a case
 * opens it, and opening a name again must see what was committed under it.
 */

import type { OpenStorage, StoredSegment, StoredSnapshot } from './storage';

/** One named contract case. */
export interface StorageContractCase {
  readonly name: string;
  run(open: OpenStorage): Promise<void>;
}

/** Every case of the storage contract, in a stable order. */
export const storageContract: readonly StorageContractCase[] = Object.entries({
  async 'reads nothing from an empty storage'(open: OpenStorage) {
    const s = await open('empty');
    equal(await s.readMeta('epoch'), undefined, 'meta of an empty storage');
    equal(ranges(await s.readSegments(-1)), [], 'segments of an empty storage');
    equal(await s.latestSnapshot(), undefined, 'snapshot of an empty storage');
    equal(await s.estimateBytes(), 0, 'bytes of an empty storage');
  },

  async 'returns committed segment bytes exactly'(open: OpenStorage) {
    const s = await open('bytes');
    const view = bytes(7, 40).subarray(3, 13); // a view: only its 10 bytes may be stored
    const written = [seg(1, 1, Uint8Array.of(0, 1, 128, 255)), seg(2, 5, bytes(1, 1000)), seg(6, 6, new Uint8Array(0)), seg(7, 9, view)];
    await s.commit({ segments: written.slice(0, 1) });
    await s.commit({ segments: written.slice(1) });
    const read = await s.readSegments(0);
    equal(ranges(read), ['1..1', '2..5', '6..6', '7..9'], 'segment ranges');
    read.forEach((r, i) => sameBytes(r.bytes, written[i]!.bytes, `bytes of segment ${r.firstSeq}..${r.lastSeq}`));
    check(read[3]!.bytes.buffer.byteLength === 10, 'a segment given as a view comes back without the rest of its buffer');
    equal(await s.estimateBytes(), 4 + 1000 + 0 + 10, 'bytes stored');
  },

  async 'returns segments in firstSeq order and filters by afterSeq'(open: OpenStorage) {
    const s = await open('order');
    for (const [first, last] of [[21, 30], [1, 10], [11, 20]] as const) await s.commit({ segments: [seg(first, last)] });
    await s.commit({ segments: [seg(32, 40), seg(31, 31)] });
    const all = ['1..10', '11..20', '21..30', '31..31', '32..40'];
    equal(ranges(await s.readSegments(-5)), all, 'segments after -5');
    equal(ranges(await s.readSegments(0)), all, 'segments after 0');
    equal(ranges(await s.readSegments(10)), all.slice(1), 'segments after 10');
    equal(ranges(await s.readSegments(15)), all.slice(1), 'segments after 15 (11..20 still holds 16..20)');
    equal(ranges(await s.readSegments(31)), ['32..40'], 'segments after 31');
    equal(ranges(await s.readSegments(40)), [], 'segments after 40');
    for (const r of await s.readSegments(0)) sameBytes(r.bytes, seg(r.firstSeq, r.lastSeq).bytes, `bytes of ${r.firstSeq}`);
  },

  async 'prunes the segments a snapshot covers'(open: OpenStorage) {
    const s = await open('prune');
    await s.commit({ segments: [seg(1, 10), seg(11, 20), seg(21, 30)] });
    const before = await s.estimateBytes();
    await s.commit({ snapshot: snap(15, 1), pruneSegmentsThrough: 15 });
    equal(ranges(await s.readSegments(0)), ['11..20', '21..30'], 'segments after pruning through 15');
    equal(await s.estimateBytes(), before - seg(1, 10).bytes.length + 16, 'bytes after pruning and a 16-byte snapshot');
    await s.commit({ pruneSegmentsThrough: 20 });
    equal(ranges(await s.readSegments(0)), ['21..30'], 'segments after pruning through 20');
  },

  async 'cuts a corrupt tail and rewrites it in the same commit'(open: OpenStorage) {
    const s = await open('truncate');
    await s.commit({ segments: [seg(1, 10), seg(11, 20), seg(21, 30)] });
    const rewritten = seg(11, 14, bytes(99, 50));
    await s.commit({ truncateSegmentsFrom: 15, segments: [rewritten] });
    const read = await s.readSegments(0);
    equal(ranges(read), ['1..10', '11..14'], 'segments after cutting from 15');
    sameBytes(read[1]!.bytes, rewritten.bytes, 'bytes of the rewritten segment');
    await s.commit({ segments: [seg(15, 20)] });
    equal(ranges(await s.readSegments(14)), ['15..20'], 'segments appended after the cut');
  },

  async 'replaces the latest snapshot and deletes older ones'(open: OpenStorage) {
    const s = await open('snapshots');
    await s.commit({ snapshot: snap(10, 2) });
    sameSnapshot(await s.latestSnapshot(), snap(10, 2), 'first snapshot');
    await s.commit({ snapshot: snap(20, 3) });
    sameSnapshot(await s.latestSnapshot(), snap(20, 3), 'newer snapshot');
    equal(await s.estimateBytes(), 5 * 16, 'bytes with both snapshots');
    await s.commit({ deleteSnapshotsBefore: 20 });
    sameSnapshot(await s.latestSnapshot(), snap(20, 3), 'snapshot kept by deleteSnapshotsBefore: 20');
    equal(await s.estimateBytes(), 3 * 16, 'bytes once the older snapshot is deleted');
    await s.commit({ snapshot: { seq: 30, chunks: [] }, deleteSnapshotsBefore: 30 });
    sameSnapshot(await s.latestSnapshot(), { seq: 30, chunks: [] }, 'a snapshot with no chunks');
  },

  async 'refuses a snapshot that does not come after the latest one'(open: OpenStorage) {
    const s = await open('snapshot-order');
    await s.commit({ snapshot: snap(20, 2) });
    await rejects(s.commit({ snapshot: snap(20, 1) }), 'InternalError', 'a second snapshot at the same seq');
    await rejects(s.commit({ snapshot: snap(10, 1) }), 'InternalError', 'an older snapshot');
    sameSnapshot(await s.latestSnapshot(), snap(20, 2), 'the snapshot after refusals');
    await s.commit({ snapshot: snap(25, 1), deleteSnapshotsBefore: 25 });
    sameSnapshot(await s.latestSnapshot(), snap(25, 1), 'a later snapshot');
  },

  async 'puts, overwrites and deletes meta values'(open: OpenStorage) {
    const s = await open('meta');
    const schema = { tables: ['user', 'message'], hash: Uint8Array.of(1, 2, 3), version: 2n ** 70n, note: null };
    await s.commit({ meta: { schema, epoch: 1, flags: [true, 'x', 3.5] } });
    equal(await s.readMeta('schema'), schema, 'structured meta value');
    equal(await s.readMeta('flags'), [true, 'x', 3.5], 'array meta value');
    await s.commit({ meta: { epoch: 2 } });
    equal(await s.readMeta('epoch'), 2, 'overwritten meta value');
    equal(await s.readMeta('schema'), schema, 'meta value left alone by an overwrite of another key');
    await s.commit({ meta: { flags: undefined } });
    equal(await s.readMeta('flags'), undefined, 'meta value deleted by undefined');
  },

  async 'keeps its own copy of bytes passed in and handed out'(open: OpenStorage) {
    const s = await open('copies');
    const input = bytes(3, 64);
    const chunk = bytes(4, 64);
    await s.commit({ segments: [{ firstSeq: 1, lastSeq: 2, bytes: input }], snapshot: { seq: 2, chunks: [chunk] } });
    input.fill(0);
    chunk.fill(0);
    const first = await s.readSegments(0);
    sameBytes(first[0]!.bytes, bytes(3, 64), 'segment bytes after the caller reused its buffer');
    sameBytes((await s.latestSnapshot())!.chunks[0]!, bytes(4, 64), 'chunk after the caller reused its buffer');
    first[0]!.bytes.fill(0);
    sameBytes((await s.readSegments(0))[0]!.bytes, bytes(3, 64), 'segment bytes after a reader mutated its copy');
  },

  async 'changes nothing when a commit is refused'(open: OpenStorage) {
    const s = await open('atomic');
    await s.commit({ segments: [seg(1, 5), seg(6, 10)], snapshot: snap(10, 1), meta: { epoch: 1 } });
    const bytesBefore = await s.estimateBytes();
    const refused = {
      'overlapping segments in one commit': { segments: [seg(11, 20), seg(15, 25)], meta: { epoch: 2 }, snapshot: snap(20, 1) },
      'a segment overlapping a stored one': { segments: [seg(11, 20), seg(10, 10)], meta: { epoch: 2 }, pruneSegmentsThrough: 5, deleteSnapshotsBefore: 11 },
      'a segment with firstSeq > lastSeq': { segments: [seg(11, 20), { firstSeq: 22, lastSeq: 21, bytes: bytes(1, 4) }], meta: { epoch: 2 } },
      'a snapshot that is not newer': { segments: [seg(11, 20)], snapshot: snap(10, 1), meta: { epoch: 2 }, pruneSegmentsThrough: 10 },
    } as const;
    for (const [what, change] of Object.entries(refused)) {
      await rejects(s.commit(change), 'InternalError', what);
      equal(ranges(await s.readSegments(0)), ['1..5', '6..10'], `segments after refusing ${what}`);
      sameSnapshot(await s.latestSnapshot(), snap(10, 1), `snapshot after refusing ${what}`);
      equal(await s.readMeta('epoch'), 1, `meta after refusing ${what}`);
      equal(await s.estimateBytes(), bytesBefore, `bytes after refusing ${what}`);
    }
    await rejects(s.commit({ segments: [seg(11, 20)], meta: { epoch: 2, bad: () => 0 } }), undefined, 'an unclonable meta value');
    equal(ranges(await s.readSegments(0)), ['1..5', '6..10'], 'segments after refusing an unclonable meta value');
    equal(await s.readMeta('epoch'), 1, 'meta after refusing an unclonable meta value');
  },

  async 'refuses a whole commit fenced off by a newer stored epoch'(open: OpenStorage) {
    const s = await open('fence');
    await s.commit({ segments: [seg(1, 5)], meta: { epoch: 3 } });
    await rejects(s.commit({ fenceEpoch: 2, segments: [seg(6, 10)], meta: { written: true }, pruneSegmentsThrough: 5 }), 'ClosedError', 'a commit from epoch 2');
    equal(ranges(await s.readSegments(0)), ['1..5'], 'segments after the fenced commit');
    equal(await s.readMeta('written'), undefined, 'meta after the fenced commit');
    await s.commit({ fenceEpoch: 3, segments: [seg(6, 10)] });
    await s.commit({ fenceEpoch: 4, segments: [seg(11, 12)], meta: { epoch: 4 } });
    equal(ranges(await s.readSegments(0)), ['1..5', '6..10', '11..12'], 'segments after commits of the current epochs');
  },

  async 'applies commits in call order without waiting for each'(open: OpenStorage) {
    const s = await open('pipelined');
    const outcomes = await Promise.allSettled([
      s.commit({ segments: [seg(1, 10)] }),
      s.commit({ segments: [seg(11, 20)], meta: { n: 2 } }),
      s.commit({ segments: [seg(5, 6)], meta: { n: 3 } }),
      s.commit({ meta: { n: 4 } }),
    ]);
    equal(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'], 'outcomes of pipelined commits');
    equal(ranges(await s.readSegments(0)), ['1..10', '11..20'], 'segments after pipelined commits');
    equal(await s.readMeta('n'), 4, 'meta after pipelined commits');
  },

  async 'round-trips a large snapshot in many chunks'(open: OpenStorage) {
    const s = await open('large');
    const large = snap(1000, 64, 64 * 1024); // 4 MiB
    await s.commit({ snapshot: large, pruneSegmentsThrough: 1000 });
    sameSnapshot(await s.latestSnapshot(), large, 'a 64-chunk snapshot');
    check((await s.estimateBytes()) >= 64 * 64 * 1024, 'estimateBytes counts every chunk of the large snapshot');
  },

  async 'sees earlier commits after reopening the same name'(open: OpenStorage) {
    const first = await open('reopen');
    await first.commit({ segments: [seg(1, 10)], snapshot: snap(5, 2), meta: { epoch: 7 } });
    first.close();
    const again = await open('reopen');
    equal(ranges(await again.readSegments(0)), ['1..10'], 'segments after reopening');
    sameBytes((await again.readSegments(0))[0]!.bytes, seg(1, 10).bytes, 'segment bytes after reopening');
    sameSnapshot(await again.latestSnapshot(), snap(5, 2), 'snapshot after reopening');
    equal(await again.readMeta('epoch'), 7, 'meta after reopening');
    const other = await open('reopen-other');
    equal(ranges(await other.readSegments(0)), [], 'segments under another name');
  },

  async 'rejects every call after close with ClosedError'(open: OpenStorage) {
    const s = await open('closed');
    await s.commit({ meta: { epoch: 1 } });
    s.close();
    await rejects(s.readMeta('epoch'), 'ClosedError', 'readMeta after close');
    await rejects(s.commit({ meta: { epoch: 2 } }), 'ClosedError', 'commit after close');
    await rejects(s.readSegments(0), 'ClosedError', 'readSegments after close');
    await rejects(s.latestSnapshot(), 'ClosedError', 'latestSnapshot after close');
    await rejects(s.estimateBytes(), 'ClosedError', 'estimateBytes after close');
    equal(await (await open('closed')).readMeta('epoch'), 1, 'meta after reopening a closed storage');
  },
}).map(([name, run]) => ({ name, run }));

// ---- fixtures ----

/** Deterministic pseudo-random bytes (xorshift32), so a reordering or mix-up shows. */
function bytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
const seg = (firstSeq: number, lastSeq: number, data = bytes(firstSeq * 1000 + lastSeq, 8 * (lastSeq - firstSeq + 1))): StoredSegment => ({ firstSeq, lastSeq, bytes: data });
const snap = (seq: number, chunks: number, size = 16): StoredSnapshot => ({ seq, chunks: Array.from({ length: chunks }, (_, i) => bytes(seq * 100 + i, size)) });
const ranges = (segments: readonly StoredSegment[]): string[] => segments.map((s) => `${s.firstSeq}..${s.lastSeq}`);

// ---- assertions: throw with a message that names what was checked ----

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [show(actual), show(expected)];
  check(a === e, `${what}: expected ${e.slice(0, 300)}, got ${a.slice(0, 300)}`);
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  check(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${show(actual)}`);
  check(actual.length === expected.length, `${what}: expected ${expected.length} bytes, got ${actual.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) throw new Error(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

function sameSnapshot(actual: StoredSnapshot | undefined, expected: StoredSnapshot, what: string): void {
  check(actual !== undefined, `${what}: expected a snapshot at seq ${expected.seq}, got none`);
  equal(actual.seq, expected.seq, `${what}: seq`);
  equal(actual.chunks.length, expected.chunks.length, `${what}: chunk count`);
  actual.chunks.forEach((chunk, i) => sameBytes(chunk, expected.chunks[i]!, `${what}: chunk ${i}`));
}

/** Awaits `promise` and checks it rejects, with an error of class `name` when one is given. */
async function rejects(promise: Promise<unknown>, name: string | undefined, what: string): Promise<void> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  check(outcome !== undefined, `${what}: expected a rejection, but it succeeded`);
  const actual = outcome.error instanceof Error ? outcome.error.name : typeof outcome.error;
  check(name === undefined || actual === name, `${what}: expected ${name}, got ${actual}: ${String(outcome.error)}`);
}

/** A canonical text form of structured-clonable test values, for deep comparison. */
function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array) return `Uint8Array[${value.join(',')}]`;
  if (Array.isArray(value)) return `[${value.map(show).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${show(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
