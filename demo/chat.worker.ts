import { serve } from 'lockstep/worker';
import * as chat from './chat.module';

serve(chat);
