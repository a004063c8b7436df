// The emulator's org model: metadata (typed view of a describe) and the record store.
// This file is the contract between the org store, the SOQL engine, the ingest engine and the server.

/** Field `type` values as Salesforce's describe reports them. */
export type FieldType =
  | 'id' | 'string' | 'textarea' | 'picklist' | 'multipicklist' | 'combobox' | 'email' | 'phone' | 'url'
  | 'reference' | 'boolean' | 'int' | 'long' | 'double' | 'currency' | 'percent' | 'date' | 'datetime'
  | 'time' | 'base64' | 'address' | 'location' | 'anyType' | 'encryptedstring' | 'complexvalue' | 'json';

export interface PicklistValue {
  readonly value: string;
  readonly active: boolean;
  readonly label?: string;
  readonly defaultValue?: boolean;
}

/** The part of a describe field the emulator acts on. The raw describe entry is kept for serving. */
export interface FieldDef {
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  readonly length: number;
  readonly precision: number;
  readonly scale: number;
  readonly digits: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly externalId: boolean;
  readonly idLookup: boolean;
  readonly unique: boolean;
  readonly caseSensitive: boolean;
  readonly calculated: boolean;
  readonly custom: boolean;
  readonly referenceTo: readonly string[];
  readonly relationshipName: string | null;
  readonly polymorphicForeignKey: boolean;
  readonly compoundFieldName: string | null;
  readonly picklistValues: readonly PicklistValue[];
  readonly restrictedPicklist: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly defaultValue: unknown;
  /** The describe entry as captured (or generated), served verbatim by the describe endpoint. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A custom validation rule from the seed: the record fails when `errorWhen` matches it. */
export interface ValidationRule {
  readonly name: string;
  readonly active: boolean;
  /** A SOQL-style boolean condition over the record's own fields, e.g. `AnnualRevenue < 0`. */
  readonly errorWhen: string;
  readonly errorMessage: string;
  /** Field the error is reported on, or none (top of page). */
  readonly errorField?: string;
}

export interface SObjectType {
  readonly name: string;
  readonly label: string;
  readonly keyPrefix: string;
  readonly custom: boolean;
  readonly queryable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly deletable: boolean;
  /** Fields in describe order. */
  readonly fields: readonly FieldDef[];
  /** Case-insensitive lookup by API name (Salesforce field names are case-insensitive). */
  field(name: string): FieldDef | undefined;
  /** Case-insensitive lookup of a reference field by its relationshipName (e.g. `Account`, `Parent__r`). */
  relationship(name: string): FieldDef | undefined;
  readonly validationRules: readonly ValidationRule[];
  /** The describe response body as served (urls rewritten per request by the server). */
  readonly describe: Readonly<Record<string, unknown>>;
  /** The entry of this object in the global `sobjects` list. */
  readonly globalEntry: Readonly<Record<string, unknown>>;
}

/**
 * Stored field values, by field type:
 * - text-like types (id, reference, string, textarea, picklist, multipicklist, combobox, email, phone, url,
 *   encryptedstring, base64): string
 * - boolean: boolean
 * - int, long, double, currency, percent: number
 * - date: string 'YYYY-MM-DD'
 * - datetime: number (epoch milliseconds, UTC)
 * - time: string 'HH:mm:ss.SSSZ'
 * - null for no value. A missing property reads as null.
 */
export type FieldValue = string | number | boolean | null;

/**
 * A record. Rows are immutable: an update replaces the row object, so a query that captured row
 * references keeps a consistent snapshot. Keys are canonical field API names; `Id` is 18 characters.
 * Read fields by name: a stored row's datetime fields are getters of its class, not own properties, so
 * `Object.keys`, spreads and `JSON.stringify` do not list them (`for...in` does; see org/row-factory.ts).
 */
export type Row = Readonly<Record<string, FieldValue>>;

/** One object's records. Ids are accepted in 15- or 18-character form everywhere. */
export interface Table {
  readonly type: SObjectType;
  /** Live rows, or live + soft-deleted rows. */
  count(includeDeleted?: boolean): number;
  /** The row with this id (also when soft-deleted: check `IsDeleted`), or undefined. */
  get(id: string): Row | undefined;
  /** Rows whose `field` (externalId or idLookup) equals `value`; text compared case-insensitively unless the field is caseSensitive. Live rows only. */
  findBy(field: string, value: string): readonly Row[];
  /** Iterates rows in Id (insertion) order. Must not allocate per row. */
  scan(includeDeleted: boolean): Iterable<Row>;
  /**
   * Inserts a row. Assigns Id, IsDeleted=false, CreatedDate/LastModifiedDate/SystemModstamp = `now`,
   * CreatedById/LastModifiedById/OwnerId (when the object has them and none given) = the running user,
   * and describe defaults (defaultedOnCreate) where no value is given. Returns the stored row.
   */
  insert(values: Readonly<Record<string, FieldValue>>, now: number): Row;
  /** Applies changes (null clears), sets LastModifiedDate/SystemModstamp/LastModifiedById. */
  update(id: string, changes: Readonly<Record<string, FieldValue>>, now: number): Row;
  /** Soft delete: IsDeleted=true, SystemModstamp=now (kept for queryAll). */
  softDelete(id: string, now: number): void;
  /** Removes the row for good. */
  hardDelete(id: string): void;
  /** Inserts a row exactly as given (seeding): keeps given Id and audit fields. */
  load(row: Row): void;
}

export interface OrgUser {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly email: string;
}

export interface OrgSettings {
  /** Whether the running user has "Bulk API Hard Delete". */
  readonly hardDeleteAllowed: boolean;
  /** Rolling 24 h allocations. */
  readonly dailyApiRequests: number;
  readonly dailyBulkIngestRecords: number;
  readonly dailyBulkApiBatches: number;
  readonly dailyBulkV2QueryJobs: number;
}

export interface OrgStore {
  /** 18-character organization id (prefix 00D). */
  readonly orgId: string;
  readonly user: OrgUser;
  readonly settings: OrgSettings;
  /** Object types in the global list order. */
  types(): readonly SObjectType[];
  /** Case-insensitive. */
  type(name: string): SObjectType | undefined;
  /** Case-insensitive; undefined for an unknown object. */
  table(name: string): Table | undefined;
  /** The object type that owns an id, by its key prefix. */
  typeOfId(id: string): SObjectType | undefined;
  /** Entries of the global sobjects list (every object Salesforce lists, also those without a table). */
  globalList(): readonly Readonly<Record<string, unknown>>[];
}
