import { bench, describe } from 'vitest';
import type { FieldDesc } from '../schema/type-desc';
import { Reader, Writer } from './buffer';
import { codecFor } from './codec';
import { compareFor, compareTuples } from './compare';
import { hashInto } from './hash';
import { compileRow } from './row';
import { T } from './test-util';

const columns: readonly FieldDesc[] = [
  { name: 'id', type: T.prim('u64') },
  { name: 'name', type: T.prim('string') },
  { name: 'health', type: T.prim('u32') },
  { name: 'pos', type: T.object('Vec2', { x: T.prim('f32'), y: T.prim('f32') }) },
  { name: 'guild', type: T.option(T.prim('string')) },
  { name: 'owner', type: T.prim('identity') },
];
const player = compileRow('player', columns);
const rows = Array.from({ length: 1024 }, (_, i) => ({
  id: BigInt(i),
  name: `player${i}`,
  health: i * 3,
  pos: { x: i, y: -i },
  guild: i % 2 === 0 ? undefined : 'red',
  owner: (i % 16).toString(16).repeat(64),
}));
const w = new Writer();
const encoded = rows.map((row) => {
  w.reset();
  player.encode(w, row);
  return w.finish();
});
const r = new Reader(new Uint8Array(0));
let i = 0;
const next = (): number => (i = (i + 1) & 1023);

describe('row codec (6 columns)', () => {
  bench('check', () => {
    player.check(rows[next()]);
  });
  bench('encode', () => {
    w.reset();
    player.encode(w, rows[next()]!);
  });
  bench('decode', () => {
    r.reset(encoded[next()]!);
    player.decode(r);
  });
});

describe('primitives', () => {
  const u32 = codecFor<number>(T.prim('u32'));
  const text = codecFor<string>(T.prim('string'));
  bench('u32 check + encode', () => {
    const v = next();
    u32.check(v);
    w.reset();
    u32.encode(w, v);
  });
  bench('short string encode', () => {
    w.reset();
    text.encode(w, rows[next()]!.name);
  });
});

describe('compare', () => {
  const byId = compareFor(T.prim('u64'));
  const byKey = compareTuples([compareFor(T.prim('u32')), compareFor(T.prim('string'))]);
  const keys = rows.map((row) => [row.health, row.name] as const);
  bench('u64', () => {
    const k = next();
    byId(rows[k]!.id, rows[(k * 7) & 1023]!.id);
  });
  bench('[u32, string] tuple', () => {
    const k = next();
    byKey(keys[k]!, keys[(k * 7) & 1023]!);
  });
});

describe('hash', () => {
  const out = new Uint32Array(2);
  const small = new Uint8Array(64).fill(7);
  const large = new Uint8Array(1 << 20).fill(7);
  bench('64 bytes', () => {
    hashInto(small, 0, 64, out);
  });
  bench('encoded row (fresh array each time)', () => {
    const bytes = encoded[next()]!;
    hashInto(bytes, 0, bytes.length, out);
  });
  bench('1 MiB', () => {
    hashInto(large, 0, large.length, out);
  });
});
