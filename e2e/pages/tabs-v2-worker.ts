import { serve } from 'lockstep/worker';
import * as tabs from './tabs.module';

// The same module declared as a newer version: a room of version 1 must refuse it, saying which side is newer.
serve(tabs, { keepEntries: Infinity, snapshotEvery: 2000, version: 2 });
