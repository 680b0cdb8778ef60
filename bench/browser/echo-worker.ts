// The baseline of a call's round trip: a worker that answers each message with itself.
addEventListener('message', (event: MessageEvent) => postMessage(event.data));
