// The simulation's modules: the tab simulation's, and one with a reducer that is not deterministic.
import { loadModule } from '../schema/module';
import { t } from '../schema/type-builders';
import { simReducers, simSchema } from '../tabs/tab-sim.test-util';

/** Counts every run of `roll` in this process: a replay of it computes another value than the run it replays. */
let rolls = 0;

/** The simulation's module plus `roll`, which keeps state outside the database (a bug the log's hashes catch). */
export const badModule = loadModule({
  default: simSchema,
  ...simReducers,
  roll: simSchema.reducer({ client: t.string(), mark: t.string() }, (ctx, { mark }) => {
    ctx.db.marker.insert({ id: 0n, key: mark });
    ctx.db.presence.insert({ id: 0n, event: `roll ${rolls++}` });
  }),
});
