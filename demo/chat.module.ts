// The chat room: display names, messages, who is online, and one colour per user
// drawn with ctx.random() so every peer sees the same. Every identity is ctx.sender.
import { schema, SenderError, t, table, type ReducerCtx } from 'lockstep';

/** The longest display name, in characters. */
export const MAX_NAME = 24;
/** The longest message, in characters. */
export const MAX_MESSAGE = 500;
/** Name colours, readable on white; a new user gets one of the least used, at random. */
export const USER_COLORS = ['#d62828', '#f77f00', '#2a9d8f', '#1d70b8', '#7b2cbf', '#2b9348', '#c9184a', '#8a5a00', '#0077b6', '#6a4c93'] as const;

/** One row per identity that ever connected. `online` is true while it has an open connection. */
const user = table({ name: 'user', public: true }, {
  identity: t.identity().primaryKey(),
  name: t.string().optional(),
  color: t.string(),
  online: t.bool(),
  last_seen: t.timestamp(),
});

/** The open connections (a browser with two tabs has two): a user is online while one remains. */
const presence = table({ name: 'presence' }, {
  connection: t.connectionId().primaryKey(),
  identity: t.identity().index('btree'),
});

/** The messages, in the order the room's authority committed them. */
const message = table({ name: 'message', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  sender: t.identity().index('btree'),
  text: t.string(),
  sent: t.timestamp(),
});

const db = schema({ user, presence, message });
export default db;

/** Records the connection and marks its user online, creating the user (with a color) on first connect. */
export const connected = db.clientConnected((ctx) => {
  if (ctx.connectionId !== null && ctx.db.presence.connection.find(ctx.connectionId) === null) {
    ctx.db.presence.insert({ connection: ctx.connectionId, identity: ctx.sender });
  }
  const row = me(ctx);
  ctx.db.user.identity.update({ ...row, online: true, last_seen: ctx.timestamp });
});

/** Forgets the connection; its user goes offline when it was their last one. */
export const disconnected = db.clientDisconnected((ctx) => {
  if (ctx.connectionId !== null) ctx.db.presence.connection.delete(ctx.connectionId);
  const row = ctx.db.user.identity.find(ctx.sender);
  if (row === null) return;
  const stillHere = !ctx.db.presence.identity.filter(ctx.sender).next().done;
  ctx.db.user.identity.update({ ...row, online: stillHere, last_seen: ctx.timestamp });
});

/** Sets the caller's display name: trimmed, not empty, at most {@link MAX_NAME} characters, not another user's (ignoring case). */
export const set_name = db.reducer({ name: t.string() }, (ctx, { name }) => {
  const wanted = checkName(name);
  for (const other of ctx.db.user) {
    if (!other.identity.isEqual(ctx.sender) && other.name?.toLowerCase() === wanted.toLowerCase()) throw new SenderError(`The name "${wanted}" is taken; pick another`);
  }
  ctx.db.user.identity.update({ ...me(ctx), name: wanted });
});

/** Posts a message from the caller: trimmed, not empty, at most {@link MAX_MESSAGE} characters. */
export const send_message = db.reducer({ text: t.string() }, (ctx, { text }) => {
  const trimmed = text.trim();
  if (trimmed === '') throw new SenderError('A message must not be empty');
  if (trimmed.length > MAX_MESSAGE) throw new SenderError(`A message has at most ${MAX_MESSAGE} characters; this one has ${trimmed.length}`);
  me(ctx);
  ctx.db.message.insert({ id: 0n, sender: ctx.sender, text: trimmed, sent: ctx.timestamp });
});

/** Returns a display name trimmed, or throws a SenderError saying why it is refused (empty, too long, control characters). */
export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new SenderError('A name must not be empty');
  if (trimmed.length > MAX_NAME) throw new SenderError(`The name "${trimmed.slice(0, 40)}${trimmed.length > 40 ? '…' : ''}" is too long (${trimmed.length} characters); use at most ${MAX_NAME}`);
  if (/\p{Cc}/u.test(trimmed)) throw new SenderError(`The name ${JSON.stringify(trimmed)} contains control characters`);
  return trimmed;
}

/** How the page names a user: the display name, or "guest" and the identity's first digits. */
export const displayName = (row: { readonly identity: { toHexString(): string }; readonly name?: string | undefined }): string => row.name ?? `guest ${row.identity.toHexString().slice(0, 6)}`;

/** The caller's user row, made on first use with a colour drawn by ctx.random() among the least used. */
function me(ctx: ReducerCtx<typeof db.schemaType>) {
  const row = ctx.db.user.identity.find(ctx.sender);
  if (row !== null) return row;
  const uses = new Map<string, number>(USER_COLORS.map((c) => [c, 0]));
  for (const other of ctx.db.user) uses.set(other.color, (uses.get(other.color) ?? 0) + 1);
  const fewest = Math.min(...uses.values());
  const choices = USER_COLORS.filter((c) => uses.get(c) === fewest);
  const color = choices[ctx.random.integerInRange(0, choices.length - 1)]!;
  return ctx.db.user.insert({ identity: ctx.sender, name: undefined, color, online: false, last_seen: ctx.timestamp });
}
