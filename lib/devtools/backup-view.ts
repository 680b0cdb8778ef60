/**
 * The Backup tab: export the database to a file (`conn.exportDatabase`, a
 * download) and import such a file into a new database
 * (`conn.importDatabase`). The file's header is read here first, so the
 * developer sees what it holds before importing; the host checks it again.
 */
import { decodeBackup, type BackupHeader } from '../backup/backup';
import { describeError, formatBytes, h } from './dom';
import type { DevtoolsContext, View } from './view';

/** Creates the Backup tab. */
export function backupView(ctx: DevtoolsContext): View {
  const { conn, doc } = ctx;
  let url: string | undefined;
  const exportButton = h(doc, 'button', { type: 'button', class: 'ls-export', onclick: () => void exportNow() }, 'Export database');
  const exported = h(doc, 'div', { class: 'ls-export-result', 'aria-live': 'polite' });
  const file = h(doc, 'input', { type: 'file', class: 'ls-import-file', accept: '.lockstep,application/octet-stream', 'aria-label': 'Backup file' });
  const allow = h(doc, 'input', { type: 'checkbox', class: 'ls-allow-reducers' });
  const importButton = h(doc, 'button', { type: 'button', class: 'ls-import', disabled: true, onclick: () => void importNow() }, 'Import into this database');
  const preview = h(doc, 'div', { class: 'ls-import-preview' });
  const imported = h(doc, 'div', { class: 'ls-import-result', 'aria-live': 'polite' });
  const element = h(
    doc,
    'div',
    { class: 'ls-view', 'data-view': 'backup' },
    h(doc, 'p', { class: 'ls-heading' }, 'Export'),
    h(doc, 'div', { class: 'ls-row' }, exportButton, h(doc, 'span', { class: 'ls-muted' }, 'every row, private tables included, at the last durable seq, with the module\'s schema and reducer hashes')),
    exported,
    h(doc, 'p', { class: 'ls-heading' }, 'Import'),
    h(doc, 'p', { class: 'ls-muted' }, `Only into a new database: one where no client has called a reducer yet (connect with a new name, e.g. "${conn.database}-restored"), open in no other tab.`),
    h(doc, 'div', { class: 'ls-row' }, file, h(doc, 'label', { title: 'for a backup whose tables match but whose reducers changed since' }, allow, ' accept changed reducers'), importButton),
    preview,
    imported,
  );

  let bytes: Uint8Array | undefined;
  file.addEventListener('change', () => void readFile());
  const readFile = async (): Promise<void> => {
    imported.replaceChildren();
    bytes = undefined;
    importButton.disabled = true;
    const chosen = file.files?.[0];
    if (chosen === undefined) return preview.replaceChildren();
    const read = new Uint8Array(await chosen.arrayBuffer());
    let header: BackupHeader;
    try {
      header = decodeBackup(read).header;
    } catch (error) {
      return preview.replaceChildren(h(doc, 'div', { class: 'ls-error', role: 'alert' }, describeError(error)));
    }
    bytes = read;
    importButton.disabled = false;
    preview.replaceChildren(h(doc, 'div', { class: 'ls-muted' }, `${chosen.name}: a backup of "${header.database}" at seq ${header.seq}, exported ${header.exportedAt}${header.module.version === undefined ? '' : `, version ${header.module.version}`} · ${rowsText(header.rows)}`));
  };

  const exportNow = async (): Promise<void> => {
    exportButton.disabled = true;
    exported.replaceChildren(h(doc, 'span', { class: 'ls-muted' }, 'Exporting…'));
    try {
      const data = await conn.exportDatabase();
      const { header } = decodeBackup(data);
      if (url !== undefined) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const name = `${conn.database}-seq${header.seq}.lockstep`;
      const link = h(doc, 'a', { href: url, download: name, class: 'ls-download' }, name);
      exported.replaceChildren(h(doc, 'div', { class: 'ls-ok', 'data-ok': 'true' }, `Exported ${formatBytes(data.length)} at seq ${header.seq} (${rowsText(header.rows)}): `, link));
      link.click();
    } catch (error) {
      exported.replaceChildren(h(doc, 'div', { class: 'ls-error', role: 'alert', 'data-ok': 'false' }, describeError(error)));
    } finally {
      exportButton.disabled = false;
    }
  };

  const importNow = async (): Promise<void> => {
    if (bytes === undefined) return;
    importButton.disabled = true;
    imported.replaceChildren(h(doc, 'span', { class: 'ls-muted' }, 'Importing…'));
    try {
      const result = await conn.importDatabase(bytes, allow.checked ? { allowReducerChanges: true } : {});
      const moved = result.seq === result.backupSeq ? '' : ` (this database continues at seq ${result.seq})`;
      imported.replaceChildren(h(doc, 'div', { class: 'ls-ok', 'data-ok': 'true' }, `Imported the backup of seq ${result.backupSeq}${moved}: ${rowsText(result.rows)}. State hash ${result.stateHash}.`));
    } catch (error) {
      imported.replaceChildren(h(doc, 'div', { class: 'ls-error', role: 'alert', 'data-ok': 'false' }, describeError(error)));
    } finally {
      importButton.disabled = bytes === undefined;
    }
  };

  return {
    element,
    show: () => {},
    hide: () => {},
    destroy: () => {
      if (url !== undefined) URL.revokeObjectURL(url);
    },
  };
}

const rowsText = (rows: Readonly<Record<string, number>>): string =>
  Object.entries(rows)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ') || 'no tables';
