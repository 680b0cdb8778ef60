/**
 * SpacetimeDB's client names reducers in camelCase (`conn.reducers.sendMessage`
 * for a reducer exported as `send_message`). Lockstep offers both names.
 */

type CamelCaseImpl<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCaseImpl<Tail>>}`
  : S extends `${infer Head}-${infer Tail}`
    ? `${Head}${Capitalize<CamelCaseImpl<Tail>>}`
    : S;

/** `send_message` → `sendMessage`; `Send_Message` → `sendMessage`; `sendMessage` stays. */
export type CamelCase<S extends string> = Uncapitalize<CamelCaseImpl<S>>;

/** The camelCase spelling of a name, as {@link CamelCase} spells it at the type level. */
export function toCamelCase<S extends string>(name: S): CamelCase<S> {
  const joined = name.replace(/[-_]+/g, '_').replace(/_([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
  return (joined.charAt(0).toLowerCase() + joined.slice(1)) as CamelCase<S>;
}

/**
 * Adds the camelCase name of each function beside its own name, unless another
 * entry already has that name (an export named `sendMessage` wins over the alias of `send_message`).
 */
export function withCamelCaseAliases<F>(byName: Readonly<Record<string, F>>): Record<string, F> {
  const out: Record<string, F> = { ...byName };
  for (const [name, fn] of Object.entries(byName)) {
    const alias = toCamelCase(name);
    if (!(alias in out)) out[alias] = fn;
  }
  return out;
}
