import { serve } from 'lockstep/worker';
import * as inventory from './devtools.module';

serve(inventory);
