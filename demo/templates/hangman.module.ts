// Hangman, in the style of SpacetimeDB's hangman template: a game whose phase is an array-form
// enum, guesses by identity, and a schedule table that ends each round after a while through
// `scheduled: () => endRound`.
// This file typechecks against 'spacetimedb/server' with only the import line changed.
import { ScheduleAt, schema, SenderError, t, table } from 'lockstep';

/** How long a round lasts, in microseconds. */
export const ROUND_MICROS = 60_000_000n;
const WORDS = ['lockstep', 'replica', 'authority', 'reducer', 'schedule'];

const game = table({ name: 'game', public: true }, {
  id: t.u32().primaryKey(),
  word: t.string(),
  phase: t.enum('Phase', ['Active', 'Results']),
  misses: t.u32(),
  startedBy: t.identity(),
});

const guess = table({ name: 'guess', public: true }, {
  id: t.u64().primaryKey().autoInc(),
  gameId: t.u32().index('btree'),
  letter: t.string(),
  player: t.identity(),
});

// `(): any`: the table and its reducer refer to each other, which TypeScript cannot infer (in
// SpacetimeDB too); `reducer({ onSchedule: roundTimer }, ...)` is the form that needs no annotation.
const roundTimer = table({ name: 'round_timer', scheduled: (): any => endRound }, {
  scheduledId: t.u64().primaryKey().autoInc(),
  scheduledAt: t.scheduleAt(),
  gameId: t.u32(),
});

const spacetimedb = schema({ game, guess, roundTimer });
export default spacetimedb;

/** The word with the letters not guessed yet hidden. */
export function masked(word: string, letters: readonly string[]): string {
  return [...word].map((c) => (letters.includes(c) ? c : '_')).join('');
}

export const start_game = spacetimedb.reducer({ id: t.u32() }, (ctx, { id }) => {
  if (ctx.db.game.id.find(id) !== null) throw new SenderError(`Game ${id} already exists`);
  const word = WORDS[ctx.random.integerInRange(0, WORDS.length - 1)]!;
  ctx.db.game.insert({ id, word, phase: { tag: 'Active' }, misses: 0, startedBy: ctx.sender });
  ctx.db.roundTimer.insert({ scheduledId: 0n, scheduledAt: ScheduleAt.time(ctx.timestamp.microsSinceUnixEpoch + ROUND_MICROS), gameId: id });
});

export const guess_letter = spacetimedb.reducer({ gameId: t.u32(), letter: t.string() }, (ctx, { gameId, letter }) => {
  const g = ctx.db.game.id.find(gameId);
  if (g === null) throw new SenderError(`No game ${gameId}`);
  if (g.phase.tag !== 'Active') throw new SenderError(`Game ${gameId} is over`);
  const l = letter.toLowerCase();
  if (!/^[a-z]$/.test(l)) throw new SenderError(`Guess one letter a-z, not "${letter}"`);
  const letters = [...ctx.db.guess.gameId.filter(gameId)].map((x) => x.letter);
  if (letters.includes(l)) throw new SenderError(`"${l}" was already guessed`);
  ctx.db.guess.insert({ id: 0n, gameId, letter: l, player: ctx.sender });
  const solved = !masked(g.word, [...letters, l]).includes('_');
  const misses = g.word.includes(l) ? g.misses : g.misses + 1;
  ctx.db.game.id.update({ ...g, misses, phase: solved || misses >= 6 ? { tag: 'Results' } : { tag: 'Active' } });
});

export const endRound = spacetimedb.reducer({ arg: roundTimer.rowType }, (ctx, { arg }) => {
  const g = ctx.db.game.id.find(arg.gameId);
  if (g !== null && g.phase.tag === 'Active') ctx.db.game.id.update({ ...g, phase: { tag: 'Results' } });
});
