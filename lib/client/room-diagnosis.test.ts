import { describe, expect, it } from 'vitest';
import { ClosedError } from '../errors';
import { candidatesIn, linkFailure } from '../peer/link-failure';
import type { Room } from '../peer/room';
import type { RoomStatus } from '../room/room-status';
import type { TabStatus } from '../tabs/tab';
import { RoomDiagnosis } from './room-diagnosis';

const room = (state: RoomStatus['state'], error?: string): RoomStatus => ({ name: 'team', role: 'replica', state, authority: undefined, peers: 0, target: 0, waiting: 0, fetched: 0, error });
const tab = (r?: RoomStatus): TabStatus => ({ role: 'leader', epoch: 1, leader: 'me', lag: 0, seq: 0, ...(r === undefined ? {} : { room: r }) });

function setup(initial: TabStatus) {
  let status = initial;
  const warnings: string[] = [];
  let changes = 0;
  const diagnosis = new RoomDiagnosis('team', () => status, () => changes++, (m) => warnings.push(m));
  return { diagnosis, warnings, changes: () => changes, set: (s: TabStatus) => (status = s) };
}

describe('RoomDiagnosis', () => {
  it('gives the reason while the room is not connected, logs the first one once, and forgets it when a peer connects', () => {
    const { diagnosis, warnings, changes } = setup(tab(room('offline')));
    diagnosis.note(linkFailure('p1', 0, 3, 'no connection after 20000 ms'));
    const shown = diagnosis.apply(tab(room('offline')));
    expect(shown.room?.reason).toBe('no-candidates');
    expect(shown.room?.reasonMessage).toMatch(/^this browser gathered no ICE candidates .*camera and microphone/);
    diagnosis.apply(tab(room('offline')));
    diagnosis.note(linkFailure('p1', 2, 3, 'Ice connection failed.'));
    expect(diagnosis.apply(tab(room('offline'))).room?.reason).toBe('connection-failed');
    expect(warnings).toEqual([expect.stringMatching(/^Lockstep: room "team" is not connected \(no-candidates\): this browser gathered no ICE/)]);
    expect(diagnosis.apply(tab(room('connected'))).room).toEqual(room('connected'));
    diagnosis.clear();
    expect(diagnosis.apply(tab(room('offline'))).room).toEqual(room('offline'));
    expect(changes()).toBe(3);
  });

  it('says a peer refused when the handshake failed, with its error', () => {
    const { diagnosis, warnings } = setup(tab());
    expect(diagnosis.apply(tab(room('refused', 'the authority runs protocol 4')))).toMatchObject({ room: { reason: 'peer-refused', reasonMessage: 'the authority runs protocol 4' } });
    expect(warnings).toHaveLength(1);
  });

  it('logs a relay failure before the worker names the room (connect() still waits), but not an empty room', () => {
    const { diagnosis, warnings } = setup(tab());
    const peerListeners: ((e: { type: string }) => void)[] = [];
    const fake = (joined: Promise<readonly string[]>): Room => ({ peerId: 'me', joined, onPeer: (fn: (e: { type: string }) => void) => (peerListeners.push(fn), () => {}) }) as unknown as Room;
    const errors: Error[] = [];
    let onError: ((error: Error) => void) | undefined;
    const open = diagnosis.watch((options) => ((onError = options.onError), fake(new Promise(() => {}))));
    open((e) => errors.push(e));
    onError!(new ClosedError('the connection to the signaling relay at ws://x/lockstep-signal closed (code 1006)'));
    expect(errors).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(/\(relay-unreachable\): the connection to the signaling relay at ws:\/\/x\/lockstep-signal closed \(code 1006\)\. Check that the signaling relay runs/)]);
    expect(diagnosis.apply(tab(room('offline'))).room?.reason).toBe('relay-unreachable');
    peerListeners[0]!({ type: 'connected' });
    expect(diagnosis.apply(tab(room('offline'))).room?.reason).toBeUndefined();
  });

  it('notes an empty room without logging it until the status shows the room not connected', async () => {
    const { diagnosis, warnings, set } = setup(tab());
    diagnosis.watch(() => ({ peerId: 'me', joined: Promise.resolve(['me']), onPeer: () => () => {} }) as unknown as Room)(() => {});
    await Promise.resolve();
    await Promise.resolve();
    expect(warnings).toEqual([]);
    set(tab(room('offline')));
    expect(diagnosis.apply(tab(room('offline'))).room?.reason).toBe('no-peers');
    expect(warnings).toHaveLength(1);
  });
});

describe('candidatesIn', () => {
  it('counts trickled candidates and the candidates of an SDP', () => {
    expect(candidatesIn({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host' } })).toBe(1);
    expect(candidatesIn({ type: 'candidate', candidate: { candidate: '' } })).toBe(0);
    expect(candidatesIn({ type: 'offer', sdp: 'v=0\r\na=candidate:1 1 udp\r\na=candidate:2 1 udp\r\n' })).toBe(2);
    expect(candidatesIn({ type: 'offer', sdp: 'v=0\r\n' })).toBe(0);
    expect(candidatesIn({ renegotiate: true })).toBe(0);
  });
});
