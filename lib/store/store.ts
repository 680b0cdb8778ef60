import { NotFoundError } from '../errors';
import type { TableSchema } from '../schema/table';
import { TableStore } from './table-store';
import { Transaction } from './transaction';

/** All tables of a database, and the one open transaction. */
export class Store {
  /** Tables by name, in schema order. */
  readonly tables = new Map<string, TableStore>();
  private open: Transaction | undefined;

  constructor(schemas: readonly TableSchema[]) {
    for (const schema of schemas) this.tables.set(schema.name, new TableStore(schema));
  }

  /** The table with this name; throws {@link NotFoundError} listing the tables there are. */
  table(name: string): TableStore {
    const table = this.tables.get(name);
    if (table === undefined) {
      throw new NotFoundError(`No table named "${name}"; tables: ${[...this.tables.keys()].join(', ')}`, { table: name });
    }
    return table;
  }

  /** Starts a transaction; only one may be open. */
  begin(): Transaction {
    if (this.open !== undefined) throw new Error('A transaction is already open');
    return (this.open = new Transaction());
  }

  /** The open transaction; throws when none is (ctx.db used outside a reducer). */
  get tx(): Transaction {
    const tx = this.open;
    if (tx === undefined) throw new Error('Tables can only be written while a reducer runs (ctx.db was used outside one)');
    return tx;
  }

  /** Ends the open transaction, keeping its writes. Returns its undo record. */
  commit(): Transaction {
    const tx = this.tx;
    this.open = undefined;
    return tx;
  }

  /** Ends the open transaction, undoing its writes. */
  rollback(): void {
    const tx = this.tx;
    this.open = undefined;
    tx.undo();
  }
}
