import { serve } from 'lockstep/worker';
import * as inventory from './inventory.module';

serve(inventory);
