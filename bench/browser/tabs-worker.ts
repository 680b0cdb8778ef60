import { serve } from 'lockstep/worker';
import * as tabs from './tabs.module';

// Default options: the tabs elect a leader and replicate as an app's tabs do.
serve(tabs);
