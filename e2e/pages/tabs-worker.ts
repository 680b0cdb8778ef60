import { serve } from 'lockstep/worker';
import * as tabs from './tabs.module';

// Keep the whole log so tests can re-run it from scratch; snapshot now and then so late tabs load snapshot + log.
serve(tabs, { keepEntries: Infinity, snapshotEvery: 2000, version: 1 });
