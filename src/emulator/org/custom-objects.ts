// Describe entries this project generates itself, always cloned from a captured entry of the same type so that
// they carry exactly the captured key set in the captured order (see data/describe/SOURCES.md, "Additions"):
// - the custom field External_Id__c on Account and Contact,
// - the custom object Invoice__c (describe body and global-list entry),
// - a usable User describe built from the partial User capture.

export type Raw = Record<string, unknown>;

/** The captured files, parsed. */
export interface Captured {
  readonly Account: Raw;
  readonly Contact: Raw;
  readonly Opportunity: Raw;
  readonly Case: Raw;
  readonly Lead: Raw;
  readonly UserPartial: Raw;
  readonly sobjects: Raw;
}

export const INVOICE_KEY_PREFIX = 'a0B';

function fieldsOf(describe: Raw): Raw[] {
  return describe.fields as Raw[];
}

/** The captured field entry `object.name`, which must exist. */
export function capturedField(describe: Raw, name: string): Raw {
  const f = fieldsOf(describe).find((x) => x.name === name);
  if (!f) throw new Error(`captured describe of ${String(describe.name)} has no field ${name}`);
  return f;
}

/** A deep copy of `template` with `overrides` applied; every override key must already be in the template. */
export function derive(template: Raw, overrides: Raw): Raw {
  const out: Raw = structuredClone(template);
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in out)) throw new Error(`generated describe entry ${String(overrides.name ?? template.name)}: unknown key ${k}`);
    out[k] = v;
  }
  return out;
}

function picklist(values: readonly string[], defaultValue: string | null): Raw[] {
  return values.map((value) => ({ active: true, defaultValue: value === defaultValue, label: value, validFor: null, value }));
}

/** Custom text field `External_Id__c`: external id, unique, case-insensitive, 255 characters. */
export function externalIdField(c: Captured): Raw {
  return derive(capturedField(c.Account, 'AccountNumber'), {
    name: 'External_Id__c',
    label: 'External ID',
    custom: true,
    length: 255,
    byteLength: 765,
    externalId: true,
    unique: true,
    idLookup: true,
    caseSensitive: false,
    nillable: true,
    createable: true,
    updateable: true,
    permissionable: true,
  });
}

export function sortedInsert<T>(list: T[], item: T, key: (x: T) => string): void {
  const k = key(item);
  let i = 0;
  while (i < list.length && key(list[i]) < k) i++;
  list.splice(i, 0, item);
}

export function childRelKey(r: Raw): string {
  return `${String(r.childSObject)}\u0000${String(r.field)}`;
}

export function childRel(childSObject: string, field: string, relationshipName: string | null, restrictedDelete = false): Raw {
  return {
    cascadeDelete: false,
    childSObject,
    deprecatedAndHidden: false,
    field,
    junctionIdListNames: [],
    junctionReferenceTo: [],
    relationshipName,
    restrictedDelete,
  };
}

/**
 * The captured Account/Contact describe with our additions: External_Id__c appended (custom fields follow the
 * standard ones), and for Account the fake `Primary_Contact__c` removed (an upstream hand edit, see SOURCES.md)
 * and the Invoice__c child relationship added.
 */
export function augmentStandard(c: Captured, name: 'Account' | 'Contact' | 'Opportunity' | 'Case' | 'Lead'): Raw {
  const d = structuredClone(c[name]);
  let fields = fieldsOf(d);
  if (name === 'Account') fields = fields.filter((f) => f.name !== 'Primary_Contact__c');
  if (name === 'Account' || name === 'Contact') fields.push(externalIdField(c));
  d.fields = fields;
  const rels = (d.childRelationships as Raw[]).filter(
    (r) => !(r.childSObject === 'Account' && r.field === 'Primary_Contact__c'),
  );
  if (name === 'Account') sortedInsert(rels, childRel('Invoice__c', 'Account__c', 'Invoices__r', true), childRelKey);
  d.childRelationships = rels;
  return d;
}

function globalEntryOf(c: Captured, name: string): Raw {
  const e = (c.sobjects.sobjects as Raw[]).find((s) => s.name === name);
  if (!e) throw new Error(`global describe has no ${name}`);
  return e;
}

/** What names a custom object: API name, labels and key prefix. */
export interface CustomObjectNames {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string;
}

/** The global-list entry of a custom object, shaped like the captured Account entry. */
export function customGlobalEntry(c: Captured, o: CustomObjectNames): Raw {
  const base = `/services/data/v48.0/sobjects/${o.name}`;
  return derive(globalEntryOf(c, 'Account'), {
    custom: true,
    feedEnabled: false,
    keyPrefix: o.keyPrefix,
    label: o.label,
    labelPlural: o.labelPlural,
    mergeable: false,
    name: o.name,
    urls: {
      compactLayouts: `${base}/describe/compactLayouts`,
      rowTemplate: `${base}/{ID}`,
      approvalLayouts: `${base}/describe/approvalLayouts`,
      defaultValues: `${base}/defaultValues?recordTypeId&fields`,
      listviews: `${base}/listviews`,
      describe: `${base}/describe`,
      quickActions: `${base}/quickActions`,
      layouts: `${base}/describe/layouts`,
      sobject: base,
    },
  });
}

const INVOICE: CustomObjectNames = { name: 'Invoice__c', label: 'Invoice', labelPlural: 'Invoices', keyPrefix: INVOICE_KEY_PREFIX };

/** The global-list entry of Invoice__c. */
export function invoiceGlobalEntry(c: Captured): Raw {
  return customGlobalEntry(c, INVOICE);
}

/**
 * The fields every custom object has, in the order Salesforce lists them (Id, OwnerId, IsDeleted, Name, audit
 * fields), then `custom`: the object's own fields.
 */
export function customObjectFields(c: Captured, o: CustomObjectNames, custom: readonly Raw[]): Raw[] {
  const A = c.Account;
  return [
    derive(capturedField(A, 'Id'), { label: `${o.label} ID` }),
    derive(capturedField(c.Case, 'OwnerId'), {}),
    derive(capturedField(A, 'IsDeleted'), {}),
    derive(capturedField(c.Opportunity, 'Name'), {
      label: `${o.label} Name`,
      length: 80,
      byteLength: 240,
      nillable: true,
      idLookup: true,
      nameField: true,
    }),
    derive(capturedField(A, 'CreatedDate'), {}),
    derive(capturedField(A, 'CreatedById'), {}),
    derive(capturedField(A, 'LastModifiedDate'), {}),
    derive(capturedField(A, 'LastModifiedById'), {}),
    derive(capturedField(A, 'SystemModstamp'), {}),
    ...custom,
  ];
}

/** Field entries of Invoice__c, in the order Salesforce lists a custom object's fields. */
export function invoiceFields(c: Captured): Raw[] {
  const A = c.Account;
  const custom = { custom: true, permissionable: true };
  const fields = customObjectFields(c, INVOICE, [
    externalIdField(c),
    derive(capturedField(c.Contact, 'AccountId'), {
      name: 'Account__c',
      label: 'Account',
      custom: true,
      nillable: false,
      permissionable: false,
      relationshipName: 'Account__r',
      restrictedDelete: true,
      searchPrefilterable: false,
    }),
    derive(capturedField(c.Opportunity, 'Amount'), { ...custom, name: 'Amount__c', label: 'Amount', precision: 16, scale: 2 }),
    derive(capturedField(c.Case, 'Status'), {
      ...custom,
      name: 'Status__c',
      label: 'Status',
      length: 255,
      byteLength: 765,
      restrictedPicklist: true,
      defaultValue: 'Draft',
      defaultedOnCreate: true,
      picklistValues: picklist(['Draft', 'Sent', 'Paid', 'Void'], 'Draft'),
    }),
    derive(capturedField(c.Contact, 'Birthdate'), { ...custom, name: 'Due_Date__c', label: 'Due Date' }),
    derive(capturedField(c.Contact, 'EmailBouncedDate'), { ...custom, name: 'Paid_At__c', label: 'Paid At' }),
    derive(capturedField(c.Case, 'IsEscalated'), { ...custom, name: 'Paid__c', label: 'Paid' }),
    derive(capturedField(c.Contact, 'Email'), { ...custom, name: 'Email__c', label: 'Billing Email', idLookup: false }),
    derive(capturedField(A, 'Description'), {
      ...custom,
      name: 'Notes__c',
      label: 'Notes',
      length: 32768,
      byteLength: 98304,
    }),
    derive(capturedField(c.Opportunity, 'TotalOpportunityQuantity'), {
      ...custom,
      name: 'Quantity__c',
      label: 'Quantity',
      precision: 18,
      scale: 0,
    }),
  ]);
  fields[0] = derive(fields[0], { label: 'Record ID' });
  return fields;
}

/** Child relationships a custom object gets from the platform (copied from Account's, re-pointed where needed). */
const PLATFORM_CHILDREN = new Set([
  'AttachedContentDocument', 'Attachment', 'CombinedAttachment', 'ContentDocumentLink', 'ContentVersion',
  'DuplicateRecordItem', 'EmailMessage', 'EntitySubscription', 'FlowRecordRelation', 'Note', 'NoteAndAttachment',
  'ProcessInstance', 'ProcessInstanceHistory', 'RecordAction', 'RecordActionHistory', 'TopicAssignment',
]);

/** A custom object's describe body, shaped (same top-level keys, same order) like the captured Account describe. */
export function customDescribe(c: Captured, o: CustomObjectNames, fields: readonly Raw[], childRelationships: readonly Raw[] = []): Raw {
  const entry = customGlobalEntry(c, o);
  const A = c.Account;
  const platform = (A.childRelationships as Raw[])
    .filter((r) => PLATFORM_CHILDREN.has(String(r.childSObject)))
    .map((r) => structuredClone(r));
  const children = [...platform];
  for (const r of childRelationships) sortedInsert(children, r, childRelKey);
  const plural = o.labelPlural.toLowerCase();
  return derive(A, {
    actionOverrides: [],
    childRelationships: children,
    createable: true,
    custom: true,
    deletable: true,
    feedEnabled: false,
    fields: [...fields],
    keyPrefix: o.keyPrefix,
    label: o.label,
    labelPlural: o.labelPlural,
    mergeable: false,
    name: o.name,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `/services/data/v48.0/sobjects/${o.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    supportedScopes: [
      { label: `All ${plural}`, name: 'everything' },
      { label: `My ${plural}`, name: 'mine' },
      { label: `Queue owned ${plural}`, name: 'queue_owned' },
      { label: `My team's ${plural}`, name: 'team' },
      { label: `My queues ${plural}`, name: 'user_owned' },
    ],
    urls: { ...(entry.urls as Raw), uiDetailTemplate: uiUrl(c, '{ID}'), uiEditTemplate: uiUrl(c, '{ID}/e'), uiNewRecord: uiUrl(c, `${o.keyPrefix}/e`) },
  });
}

/** The Invoice__c describe body. */
export function invoiceDescribe(c: Captured): Raw {
  return customDescribe(c, INVOICE, invoiceFields(c));
}

function uiUrl(c: Captured, tail: string): string {
  const t = String((c.Account.urls as Raw).uiDetailTemplate);
  return t.replace('{ID}', tail);
}

// ---------------------------------------------------------------------------------------------------------------
// User

/**
 * What the partial capture lacks for the User fields we keep, from Salesforce's User object reference
 * (SOAP API Developer Guide): length, create/update access, lookup/uniqueness, and the compound a part belongs to.
 * `c` createable, `u` updateable, `d` defaultedOnCreate, `l` idLookup, `q` unique.
 */
const USER_FIELDS: Record<string, { len?: number; flags: string; compound?: string }> = {
  Id: { len: 18, flags: 'dl' },
  Username: { len: 80, flags: 'culq' },
  LastName: { len: 80, flags: 'cu', compound: 'Name' },
  FirstName: { len: 40, flags: 'cu', compound: 'Name' },
  Name: { len: 121, flags: '' },
  CompanyName: { len: 80, flags: 'cu' },
  Division: { len: 80, flags: 'cu' },
  Department: { len: 80, flags: 'cu' },
  Title: { len: 80, flags: 'cu' },
  Street: { len: 255, flags: 'cu', compound: 'Address' },
  City: { len: 40, flags: 'cu', compound: 'Address' },
  State: { len: 80, flags: 'cu', compound: 'Address' },
  PostalCode: { len: 20, flags: 'cu', compound: 'Address' },
  Country: { len: 80, flags: 'cu', compound: 'Address' },
  Latitude: { flags: 'cu', compound: 'Address' },
  Longitude: { flags: 'cu', compound: 'Address' },
  GeocodeAccuracy: { len: 40, flags: 'cu', compound: 'Address' },
  Address: { flags: '' },
  Email: { len: 128, flags: 'cu' },
  Phone: { len: 40, flags: 'cu' },
  Fax: { len: 40, flags: 'cu' },
  MobilePhone: { len: 40, flags: 'cu' },
  Alias: { len: 8, flags: 'cu' },
  CommunityNickname: { len: 40, flags: 'cudl' },
  IsActive: { flags: 'cud' },
  TimeZoneSidKey: { len: 40, flags: 'cu' },
  UserRoleId: { len: 18, flags: 'cu' },
  LocaleSidKey: { len: 40, flags: 'cu' },
  ReceivesInfoEmails: { flags: 'cud' },
  ReceivesAdminInfoEmails: { flags: 'cud' },
  EmailEncodingKey: { len: 40, flags: 'cu' },
  ProfileId: { len: 18, flags: 'cu' },
  UserType: { len: 40, flags: 'd' },
  LanguageLocaleKey: { len: 40, flags: 'cu' },
  EmployeeNumber: { len: 20, flags: 'cu' },
  DelegatedApproverId: { len: 18, flags: 'cu' },
  ManagerId: { len: 18, flags: 'cu' },
  LastLoginDate: { flags: '' },
  LastPasswordChangeDate: { flags: '' },
  CreatedDate: { flags: 'd' },
  CreatedById: { len: 18, flags: 'd' },
  LastModifiedDate: { flags: 'd' },
  LastModifiedById: { len: 18, flags: 'd' },
  SystemModstamp: { flags: 'd' },
  ContactId: { len: 18, flags: 'c' },
  AccountId: { len: 18, flags: '' },
  IsPortalEnabled: { flags: 'ud' },
  FederationIdentifier: { len: 512, flags: 'cul' },
  AboutMe: { len: 1000, flags: 'cu' },
  FullPhotoUrl: { len: 1024, flags: '' },
  SmallPhotoUrl: { len: 1024, flags: '' },
  MediumPhotoUrl: { len: 1024, flags: '' },
  LastViewedDate: { flags: '' },
  LastReferencedDate: { flags: '' },
  IndividualId: { len: 18, flags: 'cu' },
};

/** The User fields the emulator keeps (the partial capture's other fields are preference and permission flags). */
export const USER_FIELD_NAMES: readonly string[] = Object.keys(USER_FIELDS);

function userTemplate(c: Captured, f: Raw): Raw {
  const name = String(f.name);
  const A = c.Account;
  switch (f.type) {
    case 'id': return capturedField(A, 'Id');
    case 'string': return capturedField(A, 'AccountNumber');
    case 'textarea': return capturedField(A, name === 'Street' ? 'BillingStreet' : 'Description');
    case 'picklist': return capturedField(A, name === 'GeocodeAccuracy' ? 'BillingGeocodeAccuracy' : 'Rating');
    case 'address': return capturedField(A, 'BillingAddress');
    case 'double': return capturedField(A, 'BillingLatitude');
    case 'email': return capturedField(c.Contact, 'Email');
    case 'phone': return capturedField(A, 'Phone');
    case 'boolean': return capturedField(c.Case, 'IsEscalated');
    case 'url': return capturedField(A, 'PhotoUrl');
    case 'reference':
      if (['CreatedById', 'LastModifiedById'].includes(name)) return capturedField(A, name);
      return capturedField(c.Contact, 'AccountId');
    case 'datetime':
      if (['CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'LastViewedDate', 'LastReferencedDate'].includes(name)) {
        return capturedField(A, name);
      }
      return capturedField(c.Contact, 'EmailBouncedDate');
    default:
      throw new Error(`no template for User.${name} of type ${String(f.type)}`);
  }
}

const CAPTURED_USER_KEYS = [
  'aggregatable', 'custom', 'defaultValue', 'extraTypeInfo', 'filterable', 'groupable', 'inlineHelpText', 'label',
  'name', 'nillable', 'picklistValues', 'referenceTo', 'relationshipName', 'sortable', 'type',
];

/** One User field entry: template by type, overlaid with the captured partial entry, then with USER_FIELDS. */
function userField(c: Captured, partial: Raw): Raw {
  const name = String(partial.name);
  const spec = USER_FIELDS[name];
  const out = derive(userTemplate(c, partial), {});
  for (const k of CAPTURED_USER_KEYS) out[k] = structuredClone(partial[k]);
  const text = ['string', 'textarea', 'picklist', 'email', 'phone', 'url'].includes(String(partial.type));
  out.length = spec.len ?? (partial.type === 'reference' || partial.type === 'id' ? 18 : 0);
  out.byteLength = text ? (spec.len ?? 0) * 3 : partial.type === 'reference' || partial.type === 'id' ? 18 : 0;
  out.createable = spec.flags.includes('c');
  out.updateable = spec.flags.includes('u');
  out.defaultedOnCreate = spec.flags.includes('d');
  out.idLookup = spec.flags.includes('l');
  out.unique = spec.flags.includes('q');
  out.externalId = false;
  out.compoundFieldName = spec.compound ?? null;
  out.nameField = name === 'Name';
  out.calculated = false;
  out.calculatedFormula = null;
  out.autoNumber = false;
  out.polymorphicForeignKey = Array.isArray(partial.referenceTo) && partial.referenceTo.length > 1;
  out.namePointing = out.polymorphicForeignKey;
  out.restrictedPicklist = name === 'GeocodeAccuracy' || (partial.type === 'picklist' && name.endsWith('SidKey'));
  out.permissionable = !!partial.nillable && out.updateable === true;
  return out;
}

/** A User describe with the captured Account describe's key set, built from the partial capture and global entry. */
export function userDescribe(c: Captured, tableNames: ReadonlySet<string>): Raw {
  const entry = globalEntryOf(c, 'User');
  const partialFields = fieldsOf(c.UserPartial);
  const fields = USER_FIELD_NAMES.map((n) => {
    const p = partialFields.find((f) => f.name === n);
    if (!p) throw new Error(`partial User capture has no ${n}`);
    return userField(c, p);
  });
  const globalNames = new Set((c.sobjects.sobjects as Raw[]).map((s) => String(s.name)));
  const rels = (c.UserPartial.childRelationships as Raw[]).filter((r) => globalNames.has(String(r.childSObject)));
  if (tableNames.has('Invoice__c')) {
    for (const f of ['CreatedById', 'LastModifiedById', 'OwnerId']) sortedInsert(rels, childRel('Invoice__c', f, null), childRelKey);
  }
  const overrides: Raw = { childRelationships: rels, fields, namedLayoutInfos: [], actionOverrides: [] };
  for (const k of Object.keys(entry)) if (k in c.Account && k !== 'urls') overrides[k] = structuredClone(entry[k]);
  overrides.recordTypeInfos = [
    {
      active: true,
      available: true,
      defaultRecordTypeMapping: true,
      developerName: 'Master',
      master: true,
      name: 'Master',
      recordTypeId: '012000000000000AAA',
      urls: { layout: '/services/data/v48.0/sobjects/User/describe/layouts/012000000000000AAA' },
    },
  ];
  overrides.supportedScopes = [{ label: 'All users', name: 'everything' }];
  overrides.urls = {
    ...(entry.urls as Raw),
    uiDetailTemplate: uiUrl(c, '{ID}'),
    uiEditTemplate: uiUrl(c, '{ID}/e'),
    uiNewRecord: uiUrl(c, '005/e'),
  };
  return derive(c.Account, overrides);
}
