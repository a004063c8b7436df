// One insert or update row of an ingest job, in Salesforce's order of checks: each step either passes or
// names the row's sf__Error, and the row is saved only when every step passes.
import { isValidId, sameId, to18 } from '../ids.js';
import type { FieldDef, FieldValue, OrgStore, Row, Table, ValidationRule } from '../org/types.js';
import type { Rng } from '../rng.js';
import { checkValue, deserialize } from './coerce.js';
import { rowErrors, sfError } from './errors.js';
import type { Column, HeaderPlan } from './header.js';
import type { LockRegistry } from './locks.js';
import { ROW_CREATED, ROW_FAILED, ROW_UPDATED, type RowOutcome } from './row-outcomes.js';
import type { Operation } from './types.js';

export interface CompiledRule {
  readonly rule: ValidationRule;
  readonly test: (row: Row) => boolean;
}

export function failed(error: string, id = ''): RowOutcome {
  return { status: ROW_FAILED, id, error };
}

/** A store refusal (StoreError: `code`, `message`, `fields`) as an sf__Error. */
function storeErrorToSfError(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown; fields?: unknown };
  if (typeof err?.code !== 'string') throw e;
  const message = String(err.message ?? '');
  switch (err.code) {
    case 'DUPLICATE_VALUE':
      return sfError('DUPLICATE_VALUE', message);
    case 'ENTITY_IS_DELETED':
      return rowErrors.entityIsDeleted();
    case 'NOT_FOUND':
      return rowErrors.invalidCrossReference();
    default:
      return sfError(err.code, message, Array.isArray(err.fields) ? (err.fields as string[]) : []);
  }
}

/** The parent a relationship cell (`Account.External_Id__c` = raw) names, or the row's error. */
export function resolveRelationship(store: OrgStore, col: Extract<Column, { kind: 'rel' }>, raw: string): { id: string } | { error: string } {
  const table = store.table(col.target.name);
  const notFound = { error: rowErrors.foreignKeyNotFound(raw, col.targetField.name, col.target.name) };
  if (!table) return notFound;
  if (col.targetField.type === 'id') {
    if (!isValidId(raw)) return { error: rowErrors.malformedId(col.field.label, raw, col.field.name) };
    const row = table.get(raw);
    return row && row.IsDeleted !== true ? { id: row.Id as string } : notFound;
  }
  const matches = table.findBy(col.targetField.name, raw);
  if (matches.length === 0) return notFound;
  if (matches.length > 1) return { error: rowErrors.foreignKeyMultiple(raw, col.targetField.name, col.target.name) };
  return { id: matches[0].Id as string };
}

/** What a RowWriter needs from its run. */
export interface RowWriterOptions {
  readonly store: OrgStore;
  readonly table: Table;
  readonly plan: HeaderPlan;
  readonly operation: Operation;
  readonly now: () => number;
  readonly rules: readonly CompiledRule[];
  /** Fields an insert must set (not nillable, createable, not defaulted). */
  readonly requiredOnInsert: readonly FieldDef[];
  /** Whether parent locks can collide at all (lock failures enabled and the rows reference parents). */
  readonly locksActive: boolean;
  readonly locks: LockRegistry;
  readonly lockFailureRate: number;
}

export class RowWriter {
  /** Parents the row being written references (reused from row to row). */
  private readonly parents: string[] = [];
  private readonly checked: { value: FieldValue } = { value: null };

  constructor(private readonly o: RowWriterOptions) {}

  /**
   * Insert (existing undefined) or update of one row. `skipIndex` is a column that is not written (the
   * matching key of an upsert that updates).
   */
  write(cells: readonly string[], existing: Row | undefined, skipIndex: number, rng: Rng, holder: string): RowOutcome {
    const insert = existing === undefined;
    const changes: Record<string, FieldValue> = {};
    const error =
      this.deserializeCells(cells, changes, insert, skipIndex) ??
      this.unwritableFields(cells, insert, skipIndex) ??
      this.resolveReferences(cells, changes, skipIndex) ??
      this.parentLockedByOther(rng, holder) ??
      this.missingRequired(cells, changes, insert, skipIndex) ??
      this.invalidValue(cells, changes, skipIndex) ??
      this.failingRule(changes, existing);
    if (error !== undefined) return failed(error, existing ? (existing.Id as string) : '');
    return this.save(changes, existing);
  }

  /** A parent held by another batch running at this moment makes the row fail (with the configured chance). */
  lockCollides(parent: string, rng: Rng, holder: string): boolean {
    return this.o.locks.heldByOther(parent, holder) && rng() < this.o.lockFailureRate;
  }

  /** Each cell into its field's stored form; `#N/A` clears. Wrong types fail here, before anything else. */
  private deserializeCells(cells: readonly string[], changes: Record<string, FieldValue>, insert: boolean, skipIndex: number): string | undefined {
    for (const col of this.o.plan.columns) {
      if (col.index === skipIndex) continue;
      const raw = cells[col.index];
      if (raw === '') continue;
      if (col.kind === 'id') {
        if (insert && this.o.operation === 'insert') return rowErrors.idOnInsert();
        continue;
      }
      const f = col.field;
      if (raw === '#N/A') {
        changes[f.name] = null;
        continue;
      }
      if (col.kind === 'rel') continue;
      if (f.type === 'reference') {
        if (!isValidId(raw)) return rowErrors.malformedId(f.label, raw, f.name);
        changes[f.name] = to18(raw);
        continue;
      }
      const box = this.checked;
      const error = deserialize(f, raw, col.index + 1, box);
      if (error !== undefined) return error;
      changes[f.name] = box.value;
    }
    return undefined;
  }

  /** Fields the operation may not write (not createable on insert, not updateable on update). */
  private unwritableFields(cells: readonly string[], insert: boolean, skipIndex: number): string | undefined {
    let bad: string[] | undefined;
    for (const col of this.o.plan.columns) {
      if (col.kind === 'id' || col.index === skipIndex || cells[col.index] === '') continue;
      if (insert ? !col.field.createable : !col.field.updateable) (bad ??= []).push(col.field.name);
    }
    return bad ? rowErrors.notCreateableOrUpdateable(bad) : undefined;
  }

  /** Ids must point at an existing record of an allowed type; relationship cells resolve to their parent. */
  private resolveReferences(cells: readonly string[], changes: Record<string, FieldValue>, skipIndex: number): string | undefined {
    const parents = this.parents;
    parents.length = 0;
    for (const col of this.o.plan.refColumns) {
      if (col.index === skipIndex || col.kind === 'id') continue;
      const raw = cells[col.index];
      if (raw === '' || raw === '#N/A') continue;
      if (col.kind === 'field') {
        const err = this.checkReference(col.field, raw);
        if (err) return err;
        parents.push(raw);
      } else if (col.kind === 'rel') {
        const r = resolveRelationship(this.o.store, col, raw);
        if ('error' in r) return r.error;
        changes[col.field.name] = r.id;
        parents.push(r.id);
      }
    }
    return undefined;
  }

  private checkReference(f: FieldDef, raw: string): string | undefined {
    const { store } = this.o;
    const target = store.typeOfId(raw);
    if (!target || !f.referenceTo.some((r) => r.toLowerCase() === target.name.toLowerCase())) return rowErrors.wrongIdType(f, raw);
    const table = store.table(target.name);
    if (!table) return undefined;
    const row = table.get(raw);
    if ((!row || row.IsDeleted === true) && !sameId(raw, store.user.id)) return rowErrors.invalidCrossReference();
    return undefined;
  }

  /** UNABLE_TO_LOCK_ROW when a parent of the row is held by another batch running at this moment. */
  private parentLockedByOther(rng: Rng, holder: string): string | undefined {
    if (!this.o.locksActive) return undefined;
    for (const p of this.parents) if (this.lockCollides(p, rng, holder)) return rowErrors.unableToLockRow();
    return undefined;
  }

  /** Required fields an insert leaves empty, or an update clears. */
  private missingRequired(cells: readonly string[], changes: Record<string, FieldValue>, insert: boolean, skipIndex: number): string | undefined {
    let missing: string[] | undefined;
    if (insert) {
      for (const f of this.o.requiredOnInsert) {
        const v = changes[f.name];
        if (v === undefined || v === null) (missing ??= []).push(f.name);
      }
    } else {
      // only `#N/A` clears a value, and each field has at most one column
      for (const col of this.o.plan.columns) {
        if (col.kind === 'id' || col.index === skipIndex || cells[col.index] !== '#N/A') continue;
        const f = col.field;
        if (!f.nillable && f.type !== 'boolean') (missing ??= []).push(f.name);
      }
    }
    return missing ? rowErrors.requiredMissing(missing) : undefined;
  }

  /** Each value's own checks (length, restricted picklist, email, numeric range), in column order. */
  private invalidValue(cells: readonly string[], changes: Record<string, FieldValue>, skipIndex: number): string | undefined {
    const box = this.checked;
    for (const col of this.o.plan.columns) {
      if (col.kind !== 'field' || col.index === skipIndex) continue;
      const f = col.field;
      if (f.type === 'reference') continue;
      const v = changes[f.name];
      if (v === undefined || v === null) continue;
      const err = checkValue(f, v, cells[col.index], box);
      if (err) return err;
      changes[f.name] = box.value;
    }
    return undefined;
  }

  /** Validation rules, on the record as it would be saved. */
  private failingRule(changes: Record<string, FieldValue>, existing: Row | undefined): string | undefined {
    if (this.o.rules.length === 0) return undefined;
    const type = this.o.plan.type;
    const wouldBe: Row = existing === undefined ? changes : savedAs(existing, changes);
    for (const { rule, test } of this.o.rules) {
      let hit: boolean;
      try {
        hit = test(wouldBe);
      } catch (e) {
        // a rule that cannot be evaluated fails the row, as a formula error does on Salesforce
        return sfError('UNKNOWN_EXCEPTION', `Validation rule ${rule.name} on ${type.name} could not be evaluated: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (hit) return rowErrors.customValidation(rule.errorMessage, rule.errorField);
    }
    return undefined;
  }

  /** Saves the row (the store refuses duplicate values of unique fields). */
  private save(changes: Record<string, FieldValue>, existing: Row | undefined): RowOutcome {
    const { table } = this.o;
    const now = this.o.now();
    try {
      if (existing === undefined) return { status: ROW_CREATED, id: table.insert(changes, now).Id as string };
      return { status: ROW_UPDATED, id: table.update(existing.Id as string, changes, now).Id as string };
    } catch (e) {
      return failed(storeErrorToSfError(e), existing ? (existing.Id as string) : '');
    }
  }
}

/**
 * The row as an update would save it. Not a spread: a stored row's datetimes are getters of its shape's class
 * (org/row-factory.ts), which a spread leaves out, so a rule on `CreatedDate` would see null.
 */
function savedAs(existing: Row, changes: Record<string, FieldValue>): Row {
  const row: Record<string, FieldValue> = {};
  for (const k in existing) row[k] = existing[k] as FieldValue;
  return Object.assign(row, changes);
}
