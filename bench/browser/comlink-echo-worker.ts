// The comlink baseline of a call's round trip: a worker that exposes one method returning its argument.
import { expose } from 'comlink';

expose({ echo: (message: unknown): unknown => message });
