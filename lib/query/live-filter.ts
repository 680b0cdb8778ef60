/**
 * The live plan of `SELECT * FROM t [WHERE ...]`: stateless. A deleted row
 * that matched left the result, an inserted row that matches entered it; the
 * result itself is only read (through the one-off plan) when someone subscribes.
 */
import type { Row } from '../store/index-store';
import type { BoundQuery } from './bound';
import { collect } from './execute';
import { chooseRoute } from './keys';
import { buildChange, NONE, singleChange, type ChangeListener, type LivePlan, type Sink, type SubscriptionChange } from './live-plan';
import { explainPlan, planQuery, type QueryPlan } from './planner';
import { compileRowPredicate, conjuncts, type RowPredicate } from './predicate';
import { describeRoute } from './live-explain';

/** A live single-table filter. */
export class FilterPlan implements LivePlan {
  epoch = -1;
  since = 0;
  listeners: readonly ChangeListener[] = [];
  readonly table: string;
  readonly sinks: readonly Sink[];
  private readonly predicate: RowPredicate;
  private readonly initial: QueryPlan;
  /** The first matching row of the transaction; the lists start at the second. */
  private first: Row | undefined;
  private firstInserted = false;
  private inserts: Row[] | undefined;
  private deletes: Row[] | undefined;

  constructor(private readonly query: BoundQuery) {
    const table = query.tables[0]!;
    this.table = table.schema.name;
    this.predicate = compileRowPredicate(query.where, 0);
    this.initial = planQuery(query);
    const { route, term } = chooseRoute(conjuncts(query.where), 0);
    this.sinks = [{ plan: this, side: 0, table: this.table, route, routeTerm: term }];
  }

  accept(_side: number, row: Row, inserted: boolean): boolean {
    if (!this.predicate(row)) return false;
    if (this.first === undefined && this.inserts === undefined && this.deletes === undefined) {
      this.first = row;
      this.firstInserted = inserted;
      return true;
    }
    if (this.first !== undefined) {
      this.push(this.first, this.firstInserted);
      this.first = undefined;
    }
    this.push(row, inserted);
    return true;
  }

  finish(): SubscriptionChange | undefined {
    if (this.first !== undefined) {
      const change = singleChange(this.table, this.first, this.firstInserted);
      this.first = undefined;
      return change;
    }
    const change = buildChange(this.query.tables[0]!.store, this.deletes ?? NONE, this.inserts ?? NONE);
    this.inserts = undefined;
    this.deletes = undefined;
    return change;
  }

  private push(row: Row, inserted: boolean): void {
    if (inserted) (this.inserts ??= []).push(row);
    else (this.deletes ??= []).push(row);
  }

  rows(): Row[] {
    return collect(this.initial).map((env) => env[0]!);
  }

  explain(): string {
    return [`live filter on ${this.table}`, `  initial: ${explainPlan(this.initial).replaceAll('\n', '\n  ')}`, `  changes: ${describeRoute(this.sinks[0]!)}`].join('\n');
  }
}
