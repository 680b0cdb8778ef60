import { serve } from 'lockstep/worker';
import * as bench from '../browser/bench.module';

serve(bench);
