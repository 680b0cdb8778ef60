import { serve } from 'lockstep/worker';
import * as peers from './peers.module';

// keepEntries 0: once a snapshot is written the entries before it go, so a late browser catches up through snapshot + tail.
serve(peers, { keepEntries: 0, version: 1 });
