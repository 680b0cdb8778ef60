/**
 * TinyBase as a contender: an in-memory store saved to IndexedDB by its
 * IndexedDB persister (a write is durable once `save()` resolves), an index on
 * `owner`, and live queries through its queries module.
 */
import { createIndexes, createQueries, createStore, type Row } from 'tinybase';
import { createIndexedDbPersister } from 'tinybase/persisters/persister-indexed-db';
import type { ItemRow } from '../browser/rows';
import type { Contender } from './contender';

/** Opens TinyBase store `name`, loading what its persister saved. */
export async function openTinyBase(name: string): Promise<Contender> {
  const store = createStore();
  const persister = createIndexedDbPersister(store, name);
  await persister.load();
  const indexes = createIndexes(store).setIndexDefinition('byOwner', 'item', 'owner');
  const queries = createQueries(store);
  const asItem = (id: string, row: Row): ItemRow => ({ id: Number(id), owner: row['owner'] as number, label: row['label'] as string, amount: row['amount'] as number });
  const put = (row: ItemRow): void => void store.setRow('item', String(row.id), { owner: row.owner, label: row.label, amount: row.amount });
  return {
    async write(row) {
      put(row);
      await persister.save();
    },
    async bulk(rows) {
      store.transaction(() => rows.forEach(put));
      await persister.save();
    },
    get(id) {
      const row = store.getRow('item', String(id));
      return Object.keys(row).length === 0 ? undefined : asItem(String(id), row);
    },
    byOwner: (owner) => indexes.getSliceRowIds('byOwner', String(owner)).map((id) => asItem(id, store.getRow('item', id))),
    async live(owners, changed) {
      for (const owner of owners) {
        queries.setQueryDefinition(`owner${owner}`, 'item', ({ select, where }) => {
          select('label');
          where('owner', owner);
        });
        queries.addResultRowIdsListener(`owner${owner}`, () => changed(owner));
      }
    },
    count: async () => store.getRowCount('item'),
    async close() {
      await persister.destroy();
    },
  };
}
