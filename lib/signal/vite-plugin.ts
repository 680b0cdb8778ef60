/**
 * A Vite plugin that serves the signaling relay from the dev (and preview)
 * server itself, so `websocketSignaling()` works with no second process.
 */
import type { Plugin } from 'vite';
import { createSignalRelay, type SignalRelayOptions, type UpgradeEmitter } from './relay';

/** Options of {@link lockstepSignal}: those of the relay. */
export type LockstepSignalOptions = SignalRelayOptions;

/**
 * Mounts a signaling relay on Vite's HTTP server at `/lockstep-signal` (or
 * `options.path`). Only upgrade requests of that path are touched; Vite's HMR
 * WebSocket and proxied WebSockets share the server untouched. The path is
 * absolute: a `base` in the Vite config does not move it.
 * @example
 * // vite.config.ts
 * import { lockstepSignal } from 'lockstep/signal';
 * export default defineConfig({ plugins: [lockstepSignal()] });
 * // in the page: websocketSignaling() connects to ws(s)://<dev server>/lockstep-signal
 */
export function lockstepSignal(options: LockstepSignalOptions = {}): Plugin {
  return {
    name: 'lockstep-signal',
    configureServer(server) {
      mount(server.httpServer, options);
    },
    configurePreviewServer(server) {
      mount(server.httpServer, options);
    },
  };
}

/** The part of Vite's `http.Server | Http2SecureServer` the plugin uses. */
interface ViteHttpServer extends UpgradeEmitter {
  once(event: 'close', listener: () => void): unknown;
}

function mount(httpServer: ViteHttpServer | null, options: LockstepSignalOptions): void {
  // Null in middleware mode: the app owns the server and can call attach() itself.
  if (httpServer === null) return;
  const relay = createSignalRelay(options);
  const detach = relay.attach(httpServer);
  httpServer.once('close', () => {
    detach();
    void relay.close();
  });
}
