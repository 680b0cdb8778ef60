/**
 * The Reducers tab: a form for each reducer clients may call, generated from
 * its parameter types (see ./reducer-fields), that calls it as this connection
 * and shows the outcome: committed (with the time to the answer) or the error,
 * named as the reducer or the argument check reported it.
 */
import type { HelloResult } from '../host/client-protocol';
import { typeName } from '../schema/type-desc';
import { describeError, h } from './dom';
import { fieldFor, type Field } from './reducer-fields';
import type { DevtoolsContext, View } from './view';

type Reducer = HelloResult['reducers'][number];

/** Creates the Reducers tab. */
export function reducerView(ctx: DevtoolsContext): View {
  const { conn, doc } = ctx;
  const reducers = conn.describe().reducers.filter((r) => r.kind === 'reducer');
  const others = conn.describe().reducers.filter((r) => r.kind !== 'reducer');
  const picker = h(doc, 'select', { class: 'ls-reducer-select', 'aria-label': 'Reducer' }, ...reducers.map((r) => h(doc, 'option', { value: r.name }, r.name)));
  const form = h(doc, 'form', { class: 'ls-reducer-form' });
  const outcome = h(doc, 'div', { class: 'ls-outcome', 'aria-live': 'polite' });
  const element = h(
    doc,
    'div',
    { class: 'ls-view', 'data-view': 'reducers' },
    reducers.length === 0
      ? h(doc, 'p', { class: 'ls-muted' }, 'The module has no reducers clients may call.')
      : h(doc, 'div', { class: 'ls-row' }, 'Reducer ', picker, h(doc, 'span', { class: 'ls-muted' }, `called as ${conn.identity.toHexString().slice(0, 8)}… (this connection)`)),
    form,
    outcome,
    others.length === 0 ? null : h(doc, 'p', { class: 'ls-muted' }, `Not callable by clients: ${others.map((r) => `${r.name} (${r.kind})`).join(', ')}`),
  );

  let fields: { readonly name: string; readonly field: Field }[] = [];
  let calling = 0;
  const build = (reducer: Reducer | undefined): void => {
    outcome.replaceChildren();
    if (reducer === undefined) return form.replaceChildren();
    fields = reducer.params.map((p) => ({ name: p.name, field: fieldFor(doc, p.type, p.name, { identity: conn.identity.toHexString() }) }));
    const grid = h(doc, 'div', { class: 'ls-form' });
    for (const { name, field } of fields) {
      const type = reducer.params.find((p) => p.name === name)!.type;
      grid.append(h(doc, 'label', { 'data-field': name }, `${name} `, h(doc, 'span', { class: 'ls-type' }, typeName(type))), field.element);
    }
    if (fields.length === 0) grid.append(h(doc, 'span', { class: 'ls-muted' }, 'No arguments.'), h(doc, 'span', {}));
    form.replaceChildren(grid, h(doc, 'button', { class: 'ls-call', type: 'submit' }, `Call ${reducer.name}`));
  };
  picker.addEventListener('change', () => build(reducers.find((r) => r.name === picker.value)));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void call(picker.value);
  });
  build(reducers[0]);

  const call = async (name: string): Promise<void> => {
    const mine = ++calling;
    let args: Record<string, unknown>;
    try {
      args = Object.fromEntries(fields.map(({ name: arg, field }) => [arg, field.read()]));
    } catch (error) {
      return show(false, describeError(error));
    }
    show(undefined, `Calling ${name}…`);
    const started = performance.now();
    try {
      await conn.call(name as never, args as never);
      if (mine === calling) show(true, `${name} committed · ${(performance.now() - started).toFixed(1)} ms to the answer`);
    } catch (error) {
      if (mine === calling) show(false, describeError(error));
    }
  };

  const show = (ok: boolean | undefined, text: string): void => {
    outcome.replaceChildren(h(doc, 'div', { class: ok === false ? 'ls-error' : ok === true ? 'ls-ok' : 'ls-muted', 'data-ok': ok === undefined ? 'pending' : String(ok), role: ok === false ? 'alert' : 'status' }, text));
  };

  return { element, show: () => {}, hide: () => {}, destroy: () => void calling++ };
}
