// Salesforce's texts: row errors (`sf__Error`, format `STATUS_CODE:message:FIELD1,FIELD2 --`, or
// `STATUS_CODE:message:--` without fields) and whole-job errorMessages. Where each text comes from is in
// README.md beside this file; texts marked "unconfirmed" there are our best reading, not captures.
import type { FieldDef, SObjectType } from '../org/types.js';

/** Formats one sf__Error value. */
export function sfError(code: string, message: string, fields: readonly string[] = []): string {
  return fields.length ? `${code}:${message}:${fields.join(',')} --` : `${code}:${message}:--`;
}

export type XsdType = 'int' | 'long' | 'double' | 'boolean' | 'date' | 'dateTime' | 'time' | 'base64Binary';

export const rowErrors = {
  deserialize: (col: number, value: string, xsd: XsdType, field: string) =>
    sfError('INVALID_FIELD', `Failed to deserialize field at col ${col}. Due to, '${value}' is not a valid value for the type xsd:${xsd}`, [field]),
  requiredMissing: (fields: readonly string[]) =>
    sfError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, fields),
  stringTooLong: (f: FieldDef, value: string) =>
    sfError('STRING_TOO_LONG', `${f.label}: data value too large: ${value} (max length=${f.length})`, [f.name]),
  restrictedPicklist: (f: FieldDef, value: string) =>
    sfError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${value}`, [f.name]),
  invalidEmail: (f: FieldDef, value: string) =>
    sfError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${value}`, [f.name]),
  numberOutOfRange: (f: FieldDef, value: string) =>
    sfError('NUMBER_OUTSIDE_VALID_RANGE', `${f.label}: value outside of valid range on numeric field: ${value}`, [f.name]),
  /** A value that is not an id at all, in the Id column (label of the object's Id field) or a reference column. */
  malformedId: (label: string, value: string, field: string) =>
    sfError('MALFORMED_ID', `${label}: id value of incorrect type: ${value}`, [field]),
  /** A well-formed id of an object the reference field cannot point to. */
  wrongIdType: (f: FieldDef, value: string) =>
    sfError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${value}`, [f.name]),
  invalidCrossReference: () => sfError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'),
  entityIsDeleted: () => sfError('ENTITY_IS_DELETED', 'entity is deleted'),
  foreignKeyNotFound: (value: string, field: string, entity: string) =>
    sfError('INVALID_FIELD', `Foreign key external ID: ${value} not found for field ${field} in entity ${entity}`),
  foreignKeyMultiple: (value: string, field: string, entity: string) =>
    sfError('INVALID_FIELD', `Foreign key external ID: ${value} matches multiple records for field ${field} in entity ${entity}`),
  notCreateableOrUpdateable: (fields: readonly string[]) =>
    sfError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields,
    ),
  idOnInsert: () => sfError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']),
  missingIdOnUpdate: () => sfError('MISSING_ARGUMENT', 'Id not specified in an update call'),
  missingIdOnDelete: () => sfError('MISSING_ARGUMENT', 'Id not specified in a delete call'),
  missingExternalId: (field: string) => sfError('MISSING_ARGUMENT', `${field} not specified`),
  duplicateValue: (field: string, id: string) =>
    sfError('DUPLICATE_VALUE', `duplicate value found: ${field} duplicates value on record with id: ${id}`),
  duplicateExternalIdInInput: (value: string, field: string) =>
    sfError('DUPLICATE_VALUE', `Duplicate external id specified: ${value}`, [field]),
  duplicateIdInInput: (id: string) => sfError('DUPLICATE_VALUE', `Duplicate id specified: ${id}`),
  externalIdMatchesMany: (f: FieldDef, ids: readonly string[]) =>
    sfError('DUPLICATE_EXTERNAL_ID', `${f.label}: more than one record found for external id field: [${ids.join(', ')}]`, [f.name]),
  customValidation: (message: string, field?: string) =>
    sfError('FIELD_CUSTOM_VALIDATION_EXCEPTION', message, field ? [field] : []),
  unableToLockRow: () => sfError('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record'),
  notDeletable: (type: SObjectType) =>
    sfError('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object id (${type.name} is not deletable)`),
};

export const jobErrors = {
  /** Captured: unknown header, label instead of API name. */
  fieldNotFound: (name: string) => `InvalidBatch : Field name not found : ${name}`,
  /** Captured. */
  deleteOnlyIds: () => `InvalidBatch : The 'delete' batch must contain only ids.`,
  /** Captured (`Parent:Account.X` on a non-polymorphic `Parent`... read as relationship `Account`). */
  relationshipNotFound: (rel: string) => `InvalidBatch : Unable to find relationship: ${rel}`,
  /** Captured. */
  typeNotNeeded: (rel: string) => `InvalidBatch : type is not needed for non polymorphic foreign key references: ${rel}`,
  /** Unconfirmed wording. */
  typeRequired: (rel: string) => `InvalidBatch : type is required for polymorphic foreign key references: ${rel}`,
  /** Unconfirmed wording. */
  invalidType: (type: string, rel: string) => `InvalidBatch : Invalid type ${type} for polymorphic foreign key references: ${rel}`,
  /** REST text captured ("X is not an External ID or indexed field for Y"); the InvalidBatch wrapping is ours. */
  notIndexed: (field: string, entity: string) => `InvalidBatch : ${field} is not an External ID or indexed field for ${entity}`,
  /** Unconfirmed wording. */
  duplicateColumn: (name: string) => `InvalidBatch : Duplicate field name : ${name}`,
  /** Captured (Bulk API batch stateMessage "InternalServerError : Retried more than X times"). */
  retriesExhausted: (max: number) => `InternalServerError : Retried more than ${max} times`,
  /** Captured ("ExceededQuota : ApiBatchItems Limit exceeded"): the daily record allocation. */
  recordAllocation: () => 'ExceededQuota : ApiBatchItems Limit exceeded',
  /** Unconfirmed: the daily batch allocation, by analogy with the record allocation. */
  batchAllocation: () => 'ExceededQuota : ApiBatches Limit exceeded',
  /** Captured at job creation (INVALIDJOB): the upsert key is not an external id, Id or idLookup field. */
  externalIdNotIndexed: (field: string, entity: string) =>
    `InvalidJob : Field name provided, ${field} does not match an External ID, Salesforce Id, or indexed field for ${entity}`,
  /** Unconfirmed wording (job creation for an object the org does not have). */
  entityNotSupported: (object: string) => `InvalidJob : Entity '${object}' is not supported by the Bulk API.`,
  /** Captured (Bulk API exception FeatureNotEnabled for a hardDelete without "Bulk API Hard Delete"). */
  hardDeleteNotAllowed: () =>
    'FeatureNotEnabled : hardDelete operation requires special user profile permission, please contact your system administrator',
};
