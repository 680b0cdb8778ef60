import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors';
import { connect } from './connection';
import { FakeHost } from './fake-host.test-util';
import * as m from './test-module.test-util';

const worker = (): FakeHost['port'] => new FakeHost(m).port;

async function refusal(options: unknown): Promise<ValueError> {
  const error: unknown = await connect(options as never).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValueError);
  return error as ValueError;
}

describe('connect() options', () => {
  it('refuses a missing options object', async () => {
    expect((await refusal(undefined)).message).toMatch(/connect\(\): expected an options object \{ database, worker \}, got undefined/);
  });

  it('names a missing database', async () => {
    const error = await refusal({ worker });
    expect(error.message).toMatch(/options\.database must be the database's name \(a non-empty string\), got nothing/);
    expect(error.column).toBe('database');
  });

  it('names an empty database name', async () => {
    expect((await refusal({ database: '', worker })).message).toMatch(/options\.database .* got ""/);
  });

  it('says the worker must be a function that starts the worker', async () => {
    const error = await refusal({ database: 'game', worker: new FakeHost(m).port });
    expect(error.message).toMatch(/options\.worker must be a function that starts the worker, e\.g\. \(\) => new Worker\(url, \{ type: 'module' \}\); got an object/);
    expect(error.column).toBe('worker');
  });

  it('refuses a worker factory that returns no port', async () => {
    const error = await refusal({ database: 'game', worker: () => ({}) });
    expect(error.message).toMatch(/connect\(\) to database "game": options\.worker\(\) must return a Worker or an object with postMessage, addEventListener and removeEventListener; got an object/);
  });

  it('names a bad durability', async () => {
    const error = await refusal({ database: 'game', worker, durability: 'eventually' });
    expect(error.message).toMatch(/options\.durability must be 'confirmed' or 'fast', got "eventually"/);
    expect(error.column).toBe('durability');
  });

  it('names an unknown option, which is usually a typo', async () => {
    expect((await refusal({ database: 'game', worker, durabilty: 'fast' })).message).toMatch(/unknown option "durabilty"; the options are database, worker, durability and peers/);
  });

  it('checks the peers option: room name, signaling function and authority identity', async () => {
    const signaling = () => ({}) as never;
    expect((await refusal({ database: 'game', worker, peers: 'room' })).message).toBe("connect(): options.peers must be { room, signaling }, got \"room\"");
    expect((await refusal({ database: 'game', worker, peers: { room: '', signaling } })).message).toBe(`connect(): options.peers.room must be the room's name (1 to 128 characters), got ""`);
    expect((await refusal({ database: 'game', worker, peers: { room: 'r', signaling: {} } })).message).toBe('connect(): options.peers.signaling must be a function that makes the signaling, e.g. () => websocketSignaling(); got an object');
    expect((await refusal({ database: 'game', worker, peers: { room: 'r', signaling, authority: 'bob' } })).message).toBe('connect(): options.peers.authority must be an identity (64 hex digits), got "bob"');
  });

  it('does not start the worker when the options are bad', async () => {
    let started = 0;
    await refusal({ database: 1, worker: () => (started++, new FakeHost(m).port) });
    expect(started).toBe(0);
  });
});
