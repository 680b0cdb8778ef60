/**
 * Worker side of room.html: the room arrives as a MessagePort (bridged on the
 * main thread) and this worker echoes every message back to its sender, and
 * greets each peer that connects with the peers it knows of.
 */
import { peerTransport } from '../../lib/peer/port-transport';

addEventListener('message', (event: MessageEvent<{ port: MessagePort }>) => {
  const transport = peerTransport(event.data.port);
  transport.onPeer((peer) => {
    if (peer.type === 'connected') transport.send(peer.peer, `worker-hello ${JSON.stringify(transport.peers())}`);
  });
  transport.onMessage((from, data) => transport.send(from, typeof data === 'string' ? `echo:${data}` : data));
  postMessage('ready');
});
