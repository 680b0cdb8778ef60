import { serve } from 'lockstep/worker';
import * as whiteboard from './whiteboard.module';

serve(whiteboard);
