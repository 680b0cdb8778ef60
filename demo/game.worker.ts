import { serve } from 'lockstep/worker';
import * as game from './game.module';

serve(game);
