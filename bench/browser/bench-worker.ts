import { serve } from 'lockstep/worker';
import * as bench from './bench.module';

// Default options: snapshots and log retention as an app gets them.
serve(bench);
