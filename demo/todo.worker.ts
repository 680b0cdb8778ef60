import { serve } from 'lockstep/worker';
import * as todo from './todo.module';

serve(todo);
