import { describe, expect, it, vi } from 'vitest';
import { ClosedError } from '../errors';
import type { PeerData, PeerEvent } from './framing';
import { rejoinableRoom } from './rejoinable-room';
import type { Room } from './room';

/** A room whose join and peers the test drives. */
class FakeRoom implements Room {
  readonly peerId = 'me';
  readonly joined: Promise<readonly string[]>;
  closed = false;
  connected: string[] = [];
  join!: { resolve: (peers: readonly string[]) => void; reject: (error: Error) => void };
  readonly messageFns = new Set<(from: string, data: PeerData) => void>();
  readonly peerFns = new Set<(event: PeerEvent) => void>();
  readonly sent: [string, PeerData][] = [];

  constructor(readonly onError: (error: Error) => void) {
    this.joined = new Promise((resolve, reject) => (this.join = { resolve, reject }));
    this.joined.catch(() => {});
  }
  peers = (): readonly string[] => this.connected;
  send = (to: string, data: PeerData): void => void this.sent.push([to, data]);
  broadcast = (data: PeerData): void => void this.sent.push(['*', data]);
  onMessage(fn: (from: string, data: PeerData) => void): () => void {
    this.messageFns.add(fn);
    return () => void this.messageFns.delete(fn);
  }
  onPeer(fn: (event: PeerEvent) => void): () => void {
    this.peerFns.add(fn);
    return () => void this.peerFns.delete(fn);
  }
  close(): void {
    this.closed = true;
  }
  connect(peer: string): void {
    this.connected.push(peer);
    for (const fn of this.peerFns) fn({ type: 'connected', peer });
  }
}

function setup(options: { paused?: boolean } = {}) {
  const rooms: FakeRoom[] = [];
  const errors: Error[] = [];
  const room = rejoinableRoom((onError) => {
    const r = new FakeRoom(onError);
    rooms.push(r);
    return r;
  }, { retryMs: 100, maxRetryMs: 400, onError: (e) => void errors.push(e), ...options });
  const events: string[] = [];
  room.onPeer((e) => void events.push(`${e.type} ${e.peer}`));
  room.onMessage((from, data) => void events.push(`message ${from} ${String(data)}`));
  return { room, rooms, errors, events };
}

describe('rejoinableRoom', () => {
  it('relays the current room, and on pause reports every peer gone and leaves; resume joins a new room', async () => {
    const { room, rooms, events } = setup();
    rooms[0]!.join.resolve(['x']);
    expect(await room.firstJoin).toEqual(['x']);
    rooms[0]!.connect('x');
    for (const fn of rooms[0]!.messageFns) fn('x', 'hi');
    room.send('x', 'to x');
    expect(rooms[0]!.sent).toEqual([['x', 'to x']]);
    room.pause();
    expect(rooms[0]!.closed).toBe(true);
    expect(room.online).toBe(false);
    expect(room.peers()).toEqual([]);
    expect(() => room.send('x', 'lost')).toThrow(ClosedError);
    room.broadcast('dropped while out');
    room.resume();
    expect(rooms).toHaveLength(2);
    rooms[1]!.join.resolve(['x']);
    rooms[1]!.connect('x');
    expect(events).toEqual(['connected x', 'message x hi', 'disconnected x', 'connected x']);
    room.close();
    expect(rooms[1]!.closed).toBe(true);
  });

  it('joins again, with a growing wait, after a failed join or a dropped signaling; other errors are reported', async () => {
    vi.useFakeTimers();
    try {
      const { room, rooms, errors, events } = setup();
      rooms[0]!.join.reject(new ClosedError('relay unreachable'));
      await vi.advanceTimersByTimeAsync(99);
      expect(rooms).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(rooms).toHaveLength(2);
      rooms[1]!.join.reject(new ClosedError('relay unreachable'));
      await vi.advanceTimersByTimeAsync(199);
      expect(rooms).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(rooms).toHaveLength(3);
      rooms[2]!.join.resolve([]);
      expect(await room.firstJoin).toEqual([]);
      rooms[2]!.connect('y');
      // The relay drops: the room goes, and a new one is joined after the first wait again.
      rooms[2]!.onError(new ClosedError('the relay closed the connection'));
      expect(rooms[2]!.closed).toBe(true);
      expect(events).toEqual(['connected y', 'disconnected y']);
      await vi.advanceTimersByTimeAsync(100);
      expect(rooms).toHaveLength(4);
      const odd = new Error('a malformed frame from y');
      rooms[3]!.onError(odd);
      expect(errors).toEqual([odd]);
      expect(rooms[3]!.closed).toBe(false);
      room.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts paused when asked, and joins on resume only', () => {
    const { room, rooms } = setup({ paused: true });
    expect(rooms).toHaveLength(0);
    room.resume();
    expect(rooms).toHaveLength(1);
    room.close();
  });
});
