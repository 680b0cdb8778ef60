// The baseline of a cold open's worker start: the same modules as bench-worker.ts,
// loaded and evaluated, then one message, with no database opened.
import { serve } from 'lockstep/worker';
import * as bench from './bench.module';

postMessage({ loaded: typeof serve === 'function' && Object.keys(bench).length > 0 });
