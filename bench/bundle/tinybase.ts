// The minimal TinyBase app: a store persisted to IndexedDB, one live query.
import { createQueries, createStore } from 'tinybase';
import { createIndexedDbPersister } from 'tinybase/persisters/persister-indexed-db';

const store = createStore();
await createIndexedDbPersister(store, 'app').startAutoPersisting();
const queries = createQueries(store).setQueryDefinition('mine', 'item', ({ select, where }) => (select('label'), where('owner', 1)));
queries.addResultRowIdsListener('mine', () => console.log(queries.getResultRowIds('mine').length));
