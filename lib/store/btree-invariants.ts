/** The structural checks behind `BTree.checkInvariants()`, a debugging aid. */
import { InternalError } from '../errors';
import { Branch, Core, Leaf, type Compare, type Node } from './btree-core';

export function fail(message: string): never {
  throw new Error(`BTree invariant broken: ${message}`);
}

/** Checks the subtree under `node` (keys within [lo, hi)); returns its entry count. */
export function checkNode<K, V>(
  s: Core<K, V>,
  node: Node<K, V>,
  depth: number,
  lo: K | undefined,
  hi: K | undefined,
  leftEdge: boolean,
  rightEdge: boolean,
  leaves: Leaf<K, V>[],
): number {
  const isRoot = depth === 0;
  const onEdge = leftEdge || rightEdge;
  const { keys } = node;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as K;
    if (i > 0 && s.compare(keys[i - 1] as K, key) >= 0) fail(`keys out of order at depth ${depth}`);
    if ((lo !== undefined && s.compare(key, lo) < 0) || (hi !== undefined && s.compare(key, hi) >= 0)) {
      fail(`a key at depth ${depth} lies outside its parent's separators`);
    }
  }
  if (depth === s.height) {
    if (!(node instanceof Leaf)) return fail(`a branch sits at leaf depth ${depth}`);
    const n = keys.length;
    if (node.values.length !== n) fail('a leaf has different numbers of keys and values');
    if (n > s.max) fail(`a leaf holds ${n} entries, more than ${s.max}`);
    if (!isRoot && n < (onEdge ? 1 : s.min)) fail(`a leaf holds ${n} entries, too few`);
    leaves.push(node);
    return n;
  }
  if (!(node instanceof Branch)) return fail(`a leaf sits at depth ${depth}, above leaf depth ${s.height}`);
  const { children } = node;
  if (children.length !== keys.length + 1) fail('a branch has the wrong number of separators');
  if (children.length > s.max) fail(`a branch has ${children.length} children, more than ${s.max}`);
  if (children.length < (isRoot || onEdge ? 2 : s.min)) fail(`a branch has ${children.length} children, too few`);
  let count = 0;
  const last = children.length - 1;
  children.forEach((child, i) => {
    const from = i === 0 ? lo : keys[i - 1];
    const to = i === last ? hi : keys[i];
    count += checkNode(s, child, depth + 1, from, to, leftEdge && i === 0, rightEdge && i === last, leaves);
  });
  return count;
}
