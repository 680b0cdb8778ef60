import { describe, expect, it } from 'vitest';
import { ClosedError, ValueError } from '../errors';
import { decodeSignalBlob, encodeSignalBlob, manualSignaling } from './manual-signaling';
import type { SignalEvent } from './signaling';

const offer = { type: 'offer', sdp: 'v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\na=candidate:1 1 udp 2122260223 192.168.1.2 50000 typ host\r\n' };
const answer = { type: 'answer', sdp: 'v=0\r\no=- 99 2 IN IP4 127.0.0.1\r\n' };

function record(signaling: { onMessage(fn: (event: SignalEvent) => void): () => void }): SignalEvent[] {
  const events: SignalEvent[] = [];
  signaling.onMessage((event) => events.push(event));
  return events;
}

describe('manualSignaling', () => {
  it('connects an offer and an answer in two blobs', async () => {
    const bob = manualSignaling({ peers: ['alice'] });
    const alice = manualSignaling();
    const bobHears = record(bob);
    const aliceHears = record(alice);
    expect(await bob.join('chess', 'bob')).toEqual(['alice']);
    expect(await alice.join('chess', 'alice')).toEqual([]);

    const offerBlob = bob.blobFor('alice'); // waits for the (slow, ICE-gathering) offer
    bob.send('alice', offer);
    const text = await offerBlob;
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(alice.accept(text)).toBe('bob');
    expect(aliceHears).toEqual([
      { type: 'joined', peer: 'bob' },
      { type: 'signal', from: 'bob', data: offer },
    ]);

    alice.send('bob', answer);
    expect(bob.accept(await alice.blobFor('bob'))).toBe('alice');
    expect(bobHears).toEqual([{ type: 'signal', from: 'alice', data: answer }]);
  });

  it('puts the signals sent together into one blob and starts the next blob empty', async () => {
    const bob = manualSignaling();
    await bob.join('chess', 'bob');
    bob.send('alice', { candidate: 'a' });
    bob.send('alice', { candidate: 'b' });
    bob.send('carol', { candidate: 'for carol' });
    expect(decodeSignalBlob(await bob.blobFor('alice'))).toEqual({
      v: 1,
      room: 'chess',
      from: 'bob',
      to: 'alice',
      signals: [{ candidate: 'a' }, { candidate: 'b' }],
    });
    const later = bob.blobFor('alice');
    bob.send('alice', { candidate: 'c' });
    expect(decodeSignalBlob(await later).signals).toEqual([{ candidate: 'c' }]);
  });

  it('round-trips unicode and long text, and ignores line breaks added while pasting', () => {
    const blob = { v: 1, room: 'échecs ♞', from: 'bøb', to: '🦊', signals: ['x'.repeat(100_000), null, 3] } as const;
    const text = encodeSignalBlob(blob);
    const wrapped = text.replace(/(.{76})/g, '$1\n  ');
    expect(decodeSignalBlob(wrapped)).toEqual(blob);
  });

  it('refuses text that is not a blob, and blobs meant for another room or peer', async () => {
    const alice = manualSignaling();
    await alice.join('chess', 'alice');
    expect(() => alice.accept('hello there!')).toThrow(ValueError);
    expect(() => alice.accept('hello there!')).toThrow(
      'this is not a Lockstep signaling blob (it should be one run of letters, digits, "-" and "_"); copy the whole text the other side shows',
    );
    const good = encodeSignalBlob({ v: 1, room: 'chess', from: 'bob', to: 'alice', signals: [offer] });
    expect(() => alice.accept(good.slice(0, -7))).toThrow(/^this is not a Lockstep signaling blob \(it does not decode; is part of it missing\?\)/);
    expect(() => alice.accept(encodeSignalBlob({ v: 1, room: 'go', from: 'bob', to: 'alice', signals: [] }))).toThrow(
      'this blob is for room "go", but this side joined "chess"',
    );
    expect(() => alice.accept(encodeSignalBlob({ v: 1, room: 'chess', from: 'bob', to: 'carol', signals: [] }))).toThrow(
      'this blob is for peer "carol", but this side is "alice"',
    );
    expect(() => alice.accept(encodeSignalBlob({ v: 1, room: 'chess', from: 'alice', to: 'bob', signals: [] }))).toThrow(
      "this is this side's own blob; paste the one the other side made",
    );
    const events = record(alice);
    expect(alice.accept(good)).toBe('bob');
    expect(events).toHaveLength(2);
  });

  it('reports a peer as joined only the first time', async () => {
    const alice = manualSignaling();
    await alice.join('chess', 'alice');
    const events = record(alice);
    alice.accept(encodeSignalBlob({ v: 1, room: 'chess', from: 'bob', to: 'alice', signals: [1] }));
    alice.accept(encodeSignalBlob({ v: 1, room: 'chess', from: 'bob', to: 'alice', signals: [2] }));
    expect(events).toEqual([
      { type: 'joined', peer: 'bob' },
      { type: 'signal', from: 'bob', data: 1 },
      { type: 'signal', from: 'bob', data: 2 },
    ]);
  });

  it('fails a waiting blob on close and refuses calls afterwards', async () => {
    const bob = manualSignaling();
    await expect(bob.blobFor('alice')).rejects.toThrow('join a room before you make a blob');
    await bob.join('chess', 'bob');
    expect(() => bob.send('alice', () => 1)).toThrow('signal data must be a JSON value');
    const waiting = bob.blobFor('alice');
    bob.close();
    await expect(waiting).rejects.toThrow(ClosedError);
    expect(() => bob.send('alice', 1)).toThrow(ClosedError);
  });
});
