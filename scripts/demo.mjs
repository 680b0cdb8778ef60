#!/usr/bin/env node
// `npm run demo [-- --lan] [-- --https] [-- --port 5173]`: the demo gallery and its signaling relay on
// one Vite server, printing the gallery's address (/demo/).
//
// --lan    listen on every interface, so other machines of the local network can open the demos.
// --https  serve over HTTPS with a self-signed certificate made by the system's `openssl` (kept in
//          node_modules/.lockstep-demo-cert). Needed for --lan: a page from another machine over plain
//          HTTP is not a secure context, and browsers then hide Web Locks and crypto.subtle. Each
//          browser warns about the certificate once; accept it (it is this machine's own).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'vite';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const portAt = args.indexOf('--port');
const port = portAt === -1 ? 5173 : Number(args[portAt + 1]);

/** A self-signed certificate for this machine's demo server, made once with openssl. */
function certificate() {
  const dir = join('node_modules', '.lockstep-demo-cert');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  if (!existsSync(cert)) {
    mkdirSync(dir, { recursive: true });
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=lockstep-demo', '-keyout', key, '-out', cert], { stdio: 'inherit' });
    if (made.status !== 0) {
      console.error('--https needs the openssl command to make a self-signed certificate. Without it, put the demo behind an HTTPS reverse proxy or tunnel instead (see README, "Deploying peers").');
      process.exit(1);
    }
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const server = await createServer({
  configFile: 'vite.config.ts',
  // Vite's default loader warns at every start that the config imports without file extensions
  // (which the tsconfig requires); the runner loader reads the same config without that warning.
  configLoader: 'runner',
  server: { host: flag('lan') ? '0.0.0.0' : '127.0.0.1', port, ...(flag('https') ? { https: certificate() } : {}) },
});
await server.listen();
const urls = [...(server.resolvedUrls?.local ?? []), ...(server.resolvedUrls?.network ?? [])];
console.log('\n  Lockstep demo gallery:');
for (const url of urls) console.log(`    ${new URL('demo/', url).href}`);
if (flag('lan') && !flag('https')) console.log('\n  Other machines need --https too: over plain HTTP their pages are not a secure context (no Web Locks, no crypto.subtle).');
console.log('\n  Press Ctrl+C to stop.\n');
