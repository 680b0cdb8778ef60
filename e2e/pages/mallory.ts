/**
 * Test page: a malicious peer in a room. It joins through the relay with its own
 * key and speaks the room protocol by hand, to forge what an honest browser never
 * sends (e2e/peers.spec.ts drives it through `window.mallory`).
 */
import { loadModule } from 'lockstep';
import { joinRoom, type Room } from '../../lib/peer/room';
import { websocketSignaling } from '../../lib/signal/websocket-signaling';
import { describeModule } from '../../lib/room/handshake';
import { decodeRoomMessage, encodeRoomMessage, type HandshakeMessage, type RoomMessage } from '../../lib/room/room-protocol';
import { encodeSignedBatch, encodeSignedCall, signBatch, signCall, signHello, type SigningKeys } from '../../lib/room/signed';
import { exportPublicKey, generateKeyPair, identityFromPublicKey } from '../../lib/room/signing';
import type { ConnectionId, Identity } from '../../lib/schema/type-desc';
import * as tabs from './tabs.module';

let room: Room;
let keys: SigningKeys;
let identity: Identity;
let roomName: string;
/** Each peer's last handshake to mallory. */
const hellos = new Map<string, HandshakeMessage>();
/** Called at each new hello (see `join`). */
let heard = (): void => {};
const received: RoomMessage[] = [];

async function hello(to: string, as: Identity, authority: boolean): Promise<void> {
  const theirs = hellos.get(to);
  const proof = theirs === undefined ? undefined : await signHello(keys, roomName, theirs.nonce);
  const message: HandshakeMessage = { type: 'handshake', fingerprint: await describeModule(loadModule(tabs as unknown as Record<string, unknown>), 1), identity: as, connectionId: 'ab'.repeat(16) as ConnectionId, authority, nonce: crypto.randomUUID(), ...(proof === undefined ? {} : { proof }) };
  room.send(to, encodeRoomMessage(message));
}

const mallory = {
  /** Joins `name` through the relay; resolves once connected to `count` peers. */
  async join(relay: string, name: string, count: number): Promise<string> {
    roomName = name;
    const pair = await generateKeyPair();
    keys = { privateKey: pair.privateKey, publicKey: await exportPublicKey(pair.publicKey) };
    identity = await identityFromPublicKey(keys.publicKey);
    room = joinRoom({ room: name, peerId: `mallory-${crypto.randomUUID()}`, signaling: websocketSignaling(relay) });
    room.onMessage((from, data) => {
      const message = decodeRoomMessage(data);
      received.push(message);
      if (message.type === 'handshake') {
        hellos.set(from, message);
        heard();
      }
    });
    await room.joined;
    await new Promise<void>((resolve) => {
      heard = () => void (hellos.size >= count && resolve());
      heard();
    });
    return identity;
  },
  /** The peer that said hello as the authority, and one that said hello as a replica. */
  roles: (): { authority: string; replica: string } => {
    const all = [...hellos];
    return { authority: all.find(([, h]) => h.authority)![0], replica: all.find(([, h]) => !h.authority)![0] };
  },
  identityOf: (peer: string): Identity => hellos.get(peer)!.identity,
  /** Says hello to the authority as an honest replica with its own key (proven). */
  helloAsReplica: (authority: string): Promise<void> => hello(authority, identity, false),
  /** Says hello to a replica claiming to be the authority `as`, with a proof made with mallory's own key. */
  helloAsAuthority: (replica: string, as: Identity): Promise<void> => hello(replica, as, true),
  /** A call signed by mallory but numbered under another identity's client. */
  async callAsOther(to: string, victim: Identity): Promise<void> {
    const signed = await signCall(keys, roomName, { client: `${victim}/mallory`, callId: 1, reducer: 'add_item', args: new Uint8Array([7, 0, 0, 0, 0]) });
    room.send(to, encodeRoomMessage({ type: 'calls', epoch: 0, calls: [{ call: encodeSignedCall(signed), connectionId: null }] }));
  },
  /** A call under mallory's own client whose signature was tampered with after signing. */
  async callForged(to: string): Promise<void> {
    const signed = await signCall(keys, roomName, { client: `${identity}/mallory`, callId: 1, reducer: 'add_item', args: new Uint8Array([8, 0, 0, 0, 0]) });
    const signature = signed.signature.slice();
    signature[10]! ^= 0xff;
    room.send(to, encodeRoomMessage({ type: 'calls', epoch: 0, calls: [{ call: encodeSignedCall({ ...signed, signature }), connectionId: null }] }));
  },
  /** A batch of "entries" after `seq`, signed by mallory's key, sent as if from the authority. */
  async batch(to: string, seq: number): Promise<void> {
    const signed = await signBatch(keys, roomName, { epoch: 1, firstSeq: seq + 1, lastSeq: seq + 1, bytes: new Uint8Array(64) });
    room.send(to, encodeRoomMessage({ type: 'entries', batch: encodeSignedBatch(signed), target: seq + 1 }));
  },
  /** Types of the messages received so far. */
  received: (): string[] => received.map((m) => m.type),
};

Object.assign(window, { mallory });
document.getElementById('status')!.textContent = 'ready';
