import { SchemaError } from '../errors';

/** Runs `make` and returns the SchemaError it throws; fails the test on anything else. */
export function schemaError(make: () => unknown): SchemaError {
  try {
    make();
  } catch (error) {
    if (error instanceof SchemaError) return error;
    throw error;
  }
  throw new Error('expected a SchemaError, but nothing was thrown');
}
