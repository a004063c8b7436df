// A tiny in-memory OrgStore for the SOQL tests and benchmark: a few objects with hand-written
// metadata (the shapes of Salesforce's describe), rows kept in insertion (Id) order.
import type { FieldDef, FieldType, FieldValue, OrgStore, Row, SObjectType, Table } from '../../src/emulator/org/types.js';
import { makeId } from '../../src/emulator/ids.js';

type FieldSpec = Partial<Omit<FieldDef, 'name' | 'type'>>;

export function field(name: string, type: FieldType, spec: FieldSpec = {}): FieldDef {
  const longText = type === 'textarea' && (spec.length ?? 255) > 255;
  return {
    name,
    label: name,
    type,
    length: 255,
    precision: 0,
    scale: 0,
    digits: 0,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    externalId: false,
    idLookup: name === 'Id',
    unique: false,
    caseSensitive: false,
    calculated: false,
    custom: name.endsWith('__c'),
    referenceTo: [],
    relationshipName: null,
    polymorphicForeignKey: false,
    compoundFieldName: null,
    picklistValues: [],
    restrictedPicklist: false,
    filterable: !longText && type !== 'address' && type !== 'location' && type !== 'base64',
    sortable: !longText && type !== 'multipicklist' && type !== 'address' && type !== 'location' && type !== 'base64',
    defaultValue: null,
    raw: {},
    ...spec,
  };
}

export function ref(name: string, to: string[], relationshipName: string, spec: FieldSpec = {}): FieldDef {
  return field(name, 'reference', { referenceTo: to, relationshipName, polymorphicForeignKey: to.length > 1, ...spec });
}

export function sobject(name: string, keyPrefix: string, fields: FieldDef[]): SObjectType {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const byRel = new Map(fields.filter((f) => f.relationshipName).map((f) => [f.relationshipName!.toLowerCase(), f]));
  return {
    name,
    label: name,
    keyPrefix,
    custom: name.endsWith('__c'),
    queryable: true,
    createable: true,
    updateable: true,
    deletable: true,
    fields,
    field: (n) => byName.get(n.toLowerCase()),
    relationship: (n) => byRel.get(n.toLowerCase()),
    validationRules: [],
    describe: {},
    globalEntry: {},
  };
}

export class FixtureTable implements Table {
  private readonly rows = new Map<string, Row>();
  private n = 0;
  constructor(readonly type: SObjectType) {}

  count(includeDeleted = false): number {
    let c = 0;
    for (const r of this.rows.values()) if (includeDeleted || r.IsDeleted !== true) c++;
    return c;
  }
  get(id: string): Row | undefined {
    if (id.length === 15) {
      for (const [k, r] of this.rows) if (k.startsWith(id)) return r;
      return undefined;
    }
    return this.rows.get(id);
  }
  findBy(): Row[] {
    return [];
  }
  *scan(includeDeleted: boolean): Iterable<Row> {
    for (const r of this.rows.values()) if (includeDeleted || r.IsDeleted !== true) yield r;
  }
  insert(values: Readonly<Record<string, FieldValue>>, now = Date.UTC(2026, 0, 1)): Row {
    const id = makeId(this.type.keyPrefix, ++this.n);
    const row: Row = Object.freeze({ CreatedDate: now, ...values, Id: id, IsDeleted: values.IsDeleted ?? false });
    this.rows.set(id, row);
    return row;
  }
  update(id: string, changes: Readonly<Record<string, FieldValue>>): Row {
    const row = Object.freeze({ ...this.rows.get(id)!, ...changes });
    this.rows.set(id, row);
    return row;
  }
  softDelete(id: string): void {
    this.update(id, { IsDeleted: true });
  }
  hardDelete(id: string): void {
    this.rows.delete(id);
  }
  load(row: Row): void {
    this.rows.set(row.Id as string, row);
  }
}

export class FixtureStore implements OrgStore {
  readonly orgId = '00D5g000004ABCDEAA';
  readonly user = { id: '005000000000001AAA', username: 'u@example.com', name: 'Admin User', email: 'u@example.com' };
  readonly settings = {
    hardDeleteAllowed: true,
    dailyApiRequests: 100000,
    dailyBulkIngestRecords: 150000000,
    dailyBulkApiBatches: 15000,
    dailyBulkV2QueryJobs: 10000,
  };
  private readonly byName = new Map<string, SObjectType>();
  private readonly tables = new Map<string, FixtureTable>();

  constructor(types: SObjectType[], withTables: string[] = types.map((t) => t.name)) {
    for (const t of types) this.byName.set(t.name.toLowerCase(), t);
    for (const n of withTables) this.tables.set(n.toLowerCase(), new FixtureTable(this.byName.get(n.toLowerCase())!));
  }
  types(): readonly SObjectType[] {
    return [...this.byName.values()];
  }
  type(name: string): SObjectType | undefined {
    return this.byName.get(name.toLowerCase());
  }
  table(name: string): FixtureTable | undefined {
    return this.tables.get(name.toLowerCase());
  }
  typeOfId(id: string): SObjectType | undefined {
    return [...this.byName.values()].find((t) => t.keyPrefix === id.slice(0, 3));
  }
  globalList(): readonly Readonly<Record<string, unknown>>[] {
    return [];
  }
}

const common = (): FieldDef[] => [
  field('Id', 'id', { filterable: true }),
  field('IsDeleted', 'boolean'),
  field('CreatedDate', 'datetime'),
  field('SystemModstamp', 'datetime'),
];

export const userType = sobject('User', '005', [...common(), field('Name', 'string'), field('Email', 'email'), field('IsActive', 'boolean')]);
export const groupType = sobject('Group', '00G', [...common(), field('Name', 'string')]);
export const accountType = sobject('Account', '001', [
  ...common(),
  field('Name', 'string'),
  field('Industry', 'picklist'),
  field('Rating', 'picklist'),
  field('AnnualRevenue', 'currency'),
  field('NumberOfEmployees', 'int'),
  field('Score__c', 'double'),
  field('Share__c', 'percent'),
  field('IsPartner', 'boolean'),
  field('LastActivityDate', 'date'),
  field('Description', 'textarea', { length: 32000 }),
  field('BillingCity', 'string'),
  field('BillingLatitude', 'double', { compoundFieldName: 'BillingAddress' }),
  field('BillingAddress', 'address'),
  field('Logo__c', 'base64'),
  field('Tags__c', 'multipicklist'),
  field('Wake_Up__c', 'time'),
  ref('OwnerId', ['User'], 'Owner'),
  ref('ParentId', ['Account'], 'Parent'),
  ref('RecordTypeId', ['RecordType'], 'RecordType'),
]);
export const contactType = sobject('Contact', '003', [
  ...common(),
  field('FirstName', 'string'),
  field('LastName', 'string'),
  field('Email', 'email'),
  field('Birthdate', 'date'),
  ref('AccountId', ['Account'], 'Account'),
  ref('Billing_Account__c', ['Account'], 'Billing_Account__r'),
  ref('OwnerId', ['User'], 'Owner'),
]);
export const caseType = sobject('Case', '500', [
  ...common(),
  field('Subject', 'string'),
  field('Status', 'picklist'),
  ref('OwnerId', ['Group', 'User'], 'Owner'),
  ref('AccountId', ['Account'], 'Account'),
]);

/** A store with User, Group, Account, Contact and Case (RecordType has no table nor type). */
export function fixtureStore(): FixtureStore {
  return new FixtureStore([userType, groupType, accountType, contactType, caseType]);
}
