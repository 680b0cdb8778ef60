import { serve } from 'lockstep/worker';
import * as keynote from './keynote.module';

serve(keynote);
