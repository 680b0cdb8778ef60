#!/usr/bin/env node
/// <reference types="node" />
/**
 * `lockstep-signal [--port 8787] [--host 127.0.0.1] [--path /lockstep-signal]`:
 * runs a stand-alone signaling relay and prints its WebSocket URL.
 */
import { parseArgs } from 'node:util';
import { startSignalRelay } from './relay';

const usage = 'usage: lockstep-signal [--port 8787] [--host 127.0.0.1] [--path /lockstep-signal]';

let values: { port?: string; host?: string; path?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, path: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help === true) {
  console.log(usage);
  process.exit(0);
}
const port = Number(values.port ?? '8787');
if (!/^\d+$/.test(values.port ?? '8787') || port > 65535) {
  console.error(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}\n${usage}`);
  process.exit(2);
}
if (values.path !== undefined && !values.path.startsWith('/')) {
  console.error(`--path must start with "/", got ${JSON.stringify(values.path)}\n${usage}`);
  process.exit(2);
}

const relay = await startSignalRelay({
  port,
  host: values.host ?? '127.0.0.1',
  ...(values.path === undefined ? {} : { path: values.path }),
}).catch((error: unknown) => {
  console.error(`lockstep-signal: cannot listen: ${(error as Error).message}`);
  return process.exit(1);
});
console.log(`Lockstep signaling relay at ${relay.url}`);

const stop = (): void => {
  relay.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
