/** `lockstep/worker`: hosts a module in a Web Worker. */
export { serve } from './serve';
export type { ServeOptions } from './serve';
