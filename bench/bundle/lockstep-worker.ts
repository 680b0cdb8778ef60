// The minimal Lockstep app, worker side: its module served.
import { serve } from 'lockstep/worker';
import * as app from '../browser/bench.module';

serve(app);
