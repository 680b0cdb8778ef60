/**
 * Form fields generated from a reducer parameter's type: a checkbox for bool,
 * a text box for strings, numbers, bigints, identities and bytes (read by
 * `parseText`), a "set" checkbox around an option's inner field, a variant
 * picker for enums, and JSON (with a template of its shape) for arrays,
 * objects and schedules.
 */
import { isBigintKind, isNumberKind, typeName, type TypeDesc } from '../schema/type-desc';
import { h } from './dom';
import { jsonTemplate, parseText } from './values';

/** One generated field: its element and how to read its value (throws a `ValueError` naming `path`). */
export interface Field {
  readonly element: HTMLElement;
  read(): unknown;
  /** Disables or enables its inputs (an option that is not set). */
  setDisabled(disabled: boolean): void;
}

/** What fields may offer besides typing: the caller's identity for identity fields. */
export interface FieldHelpers {
  readonly identity: string;
}

/** Creates the field for a value of `type`; `path` names it in errors and in the inputs' `name`. */
export function fieldFor(doc: Document, type: TypeDesc, path: string, helpers: FieldHelpers): Field {
  switch (type.kind) {
    case 'bool': {
      const box = h(doc, 'input', { type: 'checkbox', name: path });
      return { element: h(doc, 'span', { class: 'ls-field' }, box), read: () => box.checked, setDisabled: (d) => void (box.disabled = d) };
    }
    case 'option': {
      const set = h(doc, 'input', { type: 'checkbox', name: `${path}?`, title: 'set a value (unchecked: none)' });
      const inner = fieldFor(doc, type.inner, path, helpers);
      inner.setDisabled(true);
      set.addEventListener('change', () => inner.setDisabled(!set.checked));
      return {
        element: h(doc, 'span', { class: 'ls-field' }, h(doc, 'label', { class: 'ls-muted' }, set, ' set'), inner.element),
        read: () => (set.checked ? inner.read() : undefined),
        setDisabled: (d) => {
          set.disabled = d;
          inner.setDisabled(d || !set.checked);
        },
      };
    }
    case 'enum': {
      const picker = h(doc, 'select', { name: `${path}.tag` }, ...type.variants.map((v) => h(doc, 'option', { value: v.name }, v.name)));
      const holder = h(doc, 'span', { class: 'ls-field' });
      let payload: Field | undefined;
      const build = (): void => {
        const variant = type.variants.find((v) => v.name === picker.value) ?? type.variants[0];
        const unit = variant === undefined || (variant.type.kind === 'object' && variant.type.fields.length === 0);
        payload = unit ? undefined : fieldFor(doc, variant.type, `${path}.${variant.name}`, helpers);
        holder.replaceChildren(...(payload === undefined ? [] : [payload.element]));
      };
      picker.addEventListener('change', build);
      build();
      return {
        element: h(doc, 'span', { class: 'ls-field' }, picker, holder),
        read: () => ({ tag: picker.value, value: payload === undefined ? {} : payload.read() }),
        setDisabled: (d) => {
          picker.disabled = d;
          payload?.setDisabled(d);
        },
      };
    }
    case 'array':
    case 'object':
    case 'scheduleAt': {
      const text = h(doc, 'textarea', { name: path, rows: 2, spellcheck: 'false', placeholder: `JSON ${typeName(type)}` });
      text.value = jsonTemplate(type);
      return { element: h(doc, 'span', { class: 'ls-field' }, text), read: () => parseText(type, text.value, path), setDisabled: (d) => void (text.disabled = d) };
    }
    default: {
      const placeholder = isBigintKind(type.kind) ? `${type.kind}, e.g. 42` : isNumberKind(type.kind) ? `${type.kind}, e.g. 3` : type.kind === 'bytes' ? 'hex, e.g. 0x01ff' : type.kind;
      const input = h(doc, 'input', { type: 'text', name: path, placeholder, autocomplete: 'off', spellcheck: 'false' });
      const me = type.kind === 'identity' ? h(doc, 'button', { type: 'button', title: 'this connection\'s identity', onclick: () => void (input.value = helpers.identity) }, 'me') : null;
      return {
        element: h(doc, 'span', { class: 'ls-field' }, input, me),
        read: () => parseText(type, input.value, path),
        setDisabled: (d) => {
          input.disabled = d;
          if (me !== null) me.disabled = d;
        },
      };
    }
  }
}
