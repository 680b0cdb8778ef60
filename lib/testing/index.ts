export { createTestDatabase } from './test-database';
export type { TestDatabase, TestDatabaseOptions, TestSubscription } from './test-database';
