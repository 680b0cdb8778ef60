/**
 * Worker side of room.html: the room arrives as a MessagePort (bridged on the
 * main thread) and this worker echoes every message back to its sender, and
 * greets each peer that connects with the peers it knows of.
 */
import { portLink } from '../../lib/peer/port-link';

addEventListener('message', (event: MessageEvent<{ port: MessagePort }>) => {
  const link = portLink(event.data.port);
  link.onPeer((peer) => {
    if (peer.type === 'connected') link.send(`worker-hello ${JSON.stringify(link.peers())}`, peer.peer);
  });
  link.onMessage((data, from) => link.send(typeof data === 'string' ? `echo:${data}` : data, from));
  postMessage('ready');
});
