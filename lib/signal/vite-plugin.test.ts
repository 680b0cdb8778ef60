import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { describe, expect, it } from 'vitest';
import { lockstepSignal } from './vite-plugin';
import { connectTestSocket, upgradeRequest, type TestSocket } from './ws-client.test-util';

async function joinAs(url: string, room: string, peer: string): Promise<{ socket: TestSocket; answer: unknown }> {
  const socket = await connectTestSocket(url);
  socket.sendJson({ type: 'join', room, peer });
  return { socket, answer: await socket.nextJson() };
}

describe('lockstepSignal Vite plugin', () => {
  it('serves the relay on the dev server\'s HTTP server and leaves other upgrades alone', async () => {
    const plugin = lockstepSignal();
    const httpServer = createHttpServer();
    const others: string[] = [];
    httpServer.on('upgrade', (req, socket) => {
      if (req.url === '/lockstep-signal') return;
      others.push(req.url ?? '');
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    const hook = plugin.configureServer;
    if (typeof hook !== 'function') throw new Error('configureServer should be a function');
    await hook.call(undefined as never, { httpServer } as unknown as ViteDevServer);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const base = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    try {
      const alice = await joinAs(`${base}/lockstep-signal`, 'chess', 'alice');
      expect(alice.answer).toEqual({ type: 'peers', room: 'chess', peers: [] });
      const bob = await joinAs(`${base}/lockstep-signal`, 'chess', 'bob');
      expect(bob.answer).toEqual({ type: 'peers', room: 'chess', peers: ['alice'] });
      expect(await upgradeRequest(`${base}/other`)).toEqual({ status: 404, body: '' });
      expect(others).toEqual(['/other']);
      alice.socket.destroy();
      bob.socket.destroy();
    } finally {
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });

  it('shares a real Vite dev server with its HMR WebSocket', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lockstep-signal-'));
    const server = await createViteServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [lockstepSignal()],
      server: { host: '127.0.0.1', port: 0, strictPort: false, ws: {}, watch: null },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    try {
      await server.listen();
      const port = (server.httpServer?.address() as AddressInfo).port;
      const alice = await joinAs(`ws://127.0.0.1:${port}/lockstep-signal`, 'chess', 'alice');
      expect(alice.answer).toEqual({ type: 'peers', room: 'chess', peers: [] });

      const hmr = await upgradeRequest(`ws://127.0.0.1:${port}/`, { 'Sec-WebSocket-Protocol': 'vite-hmr' });
      if ('status' in hmr) throw new Error(`Vite's HMR socket was refused: ${hmr.status}`);
      expect(await hmr.nextJson()).toEqual({ type: 'connected' });
      hmr.destroy();
      // Closing the dev server ends the relay's sockets too, instead of hanging on them.
      await server.close();
      expect([1001, 1006]).toContain((await alice.socket.closed).code);
    } finally {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
