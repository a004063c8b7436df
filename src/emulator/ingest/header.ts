// The header row: which column writes which field, checked before any row is processed. A bad header fails
// the whole job (numberRecordsProcessed 0) with Salesforce's InvalidBatch messages.
import type { FieldDef, OrgStore, SObjectType } from '../org/types.js';
import { jobErrors } from './errors.js';
import type { IngestJobSpec } from './types.js';

export type Column =
  /** The record's own Id. */
  | { readonly kind: 'id'; readonly index: number; readonly name: string }
  /** A field of the object (a reference field takes an id). */
  | { readonly kind: 'field'; readonly index: number; readonly name: string; readonly field: FieldDef }
  /** A reference set through the parent's external id / idLookup field: `Account.Ext__c`, `User:Owner.Ext__c`. */
  | {
      readonly kind: 'rel';
      readonly index: number;
      readonly name: string;
      readonly field: FieldDef;
      readonly target: SObjectType;
      readonly targetField: FieldDef;
    };

export interface HeaderPlan {
  readonly type: SObjectType;
  readonly columns: readonly Column[];
  /** Index of the Id column, or -1. */
  readonly idIndex: number;
  /** Upsert: the external id field and its column index (-1 when the header lacks it). */
  readonly extField?: FieldDef;
  readonly extIndex: number;
  /** Columns that set reference fields (ids or relationships). */
  readonly refColumns: readonly Column[];
}

export class HeaderError extends Error {}

function isIndexed(f: FieldDef): boolean {
  return f.externalId || f.idLookup || f.type === 'id';
}

/** Builds the column plan, or throws HeaderError with the job's errorMessage. */
export function planHeader(store: OrgStore, spec: IngestJobSpec, names: readonly string[]): HeaderPlan {
  const type = store.type(spec.object);
  if (!type) throw new HeaderError(jobErrors.entityNotSupported(spec.object));
  const isDelete = spec.operation === 'delete' || spec.operation === 'hardDelete';
  if (isDelete) {
    if (names.length !== 1 || names[0].toLowerCase() !== 'id') throw new HeaderError(jobErrors.deleteOnlyIds());
  }
  const columns: Column[] = [];
  const seen = new Set<string>();
  let idIndex = -1;
  names.forEach((name, index) => {
    let col: Column;
    const dot = name.indexOf('.');
    if (dot >= 0) {
      const left = name.slice(0, dot);
      const right = name.slice(dot + 1);
      if (right.includes('.') || right === '') throw new HeaderError(jobErrors.fieldNotFound(name));
      const colon = left.indexOf(':');
      const typePrefix = colon >= 0 ? left.slice(0, colon) : undefined;
      const relName = colon >= 0 ? left.slice(colon + 1) : left;
      const ref = type.relationship(relName);
      if (!ref || ref.type !== 'reference') throw new HeaderError(jobErrors.relationshipNotFound(relName));
      const relLabel = ref.relationshipName ?? relName;
      let targetName: string;
      if (typePrefix !== undefined) {
        if (ref.referenceTo.length <= 1) throw new HeaderError(jobErrors.typeNotNeeded(relLabel));
        const match = ref.referenceTo.find((r) => r.toLowerCase() === typePrefix.toLowerCase());
        if (!match) throw new HeaderError(jobErrors.invalidType(typePrefix, relLabel));
        targetName = match;
      } else {
        if (ref.referenceTo.length > 1) throw new HeaderError(jobErrors.typeRequired(relLabel));
        targetName = ref.referenceTo[0];
      }
      const target = store.type(targetName);
      if (!target) throw new HeaderError(jobErrors.fieldNotFound(name));
      const targetField = target.field(right);
      if (!targetField) throw new HeaderError(jobErrors.fieldNotFound(name));
      if (!isIndexed(targetField)) throw new HeaderError(jobErrors.notIndexed(targetField.name, target.name));
      col = { kind: 'rel', index, name, field: ref, target, targetField };
    } else {
      if (name.includes(':')) throw new HeaderError(jobErrors.fieldNotFound(name));
      const field = type.field(name);
      if (!field) throw new HeaderError(jobErrors.fieldNotFound(name));
      if (field.type === 'id') {
        col = { kind: 'id', index, name };
        idIndex = index;
      } else {
        col = { kind: 'field', index, name, field };
      }
    }
    const key = (col.kind === 'id' ? 'Id' : col.field.name).toLowerCase();
    if (seen.has(key)) throw new HeaderError(jobErrors.duplicateColumn(name));
    seen.add(key);
    columns.push(col);
  });
  let extField: FieldDef | undefined;
  let extIndex = -1;
  if (spec.operation === 'upsert') {
    extField = spec.externalIdFieldName ? type.field(spec.externalIdFieldName) : undefined;
    if (!extField || !isIndexed(extField)) {
      throw new HeaderError(jobErrors.externalIdNotIndexed(spec.externalIdFieldName ?? '', type.name));
    }
    const ef = extField;
    extIndex = columns.find((c) => (ef.type === 'id' ? c.kind === 'id' : c.kind === 'field' && c.field === ef))?.index ?? -1;
  }
  const refColumns = columns.filter((c) => c.kind === 'rel' || (c.kind === 'field' && c.field.type === 'reference'));
  return { type, columns, idIndex, extField, extIndex, refColumns };
}

export interface JobSpecProblem {
  readonly status: number;
  readonly errorCode: string;
  readonly message: string;
}

/**
 * Checks a job at creation time (for the server): hardDelete without the "Bulk API Hard Delete" permission
 * and an upsert key that is not an external id / idLookup field are refused there, not at processing.
 * Returns undefined when the job may be created.
 */
export function checkJobSpec(
  store: OrgStore,
  spec: Pick<IngestJobSpec, 'object' | 'operation' | 'externalIdFieldName'>,
  hardDeleteAllowed: boolean,
): JobSpecProblem | undefined {
  const type = store.type(spec.object);
  if (!type) return { status: 400, errorCode: 'INVALIDJOB', message: jobErrors.entityNotSupported(spec.object) };
  if (spec.operation === 'hardDelete' && !hardDeleteAllowed) {
    return { status: 400, errorCode: 'FEATURENOTENABLED', message: jobErrors.hardDeleteNotAllowed() };
  }
  if (spec.operation === 'upsert') {
    const f = spec.externalIdFieldName ? type.field(spec.externalIdFieldName) : undefined;
    if (!f || !isIndexed(f)) {
      return { status: 400, errorCode: 'INVALIDJOB', message: jobErrors.externalIdNotIndexed(spec.externalIdFieldName ?? '', type.name) };
    }
  }
  return undefined;
}
