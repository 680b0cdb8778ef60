export { run } from '../lib/client/client-cache.bench';
