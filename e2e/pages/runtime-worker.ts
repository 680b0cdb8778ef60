import { serve } from 'lockstep/worker';
import * as runtime from './runtime.module';

// Keep the whole log so tests can re-run it from scratch; snapshot often so recovery crosses snapshots.
serve(runtime, { keepEntries: Infinity, snapshotEvery: 300 });
