import { schema, table } from 'lockstep';
import { serve } from 'lockstep/worker';
import { initLog, marker, noteVersions, pair } from './runtime.module';

// The runtime module's tables with the note table of version v3: opens the same stored data.
const note = table({ name: 'note', public: true }, noteVersions.v3);
serve({ default: schema({ note, marker, pair, initLog }) });
