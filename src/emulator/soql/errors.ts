// Errors the SOQL engine raises, shaped as Salesforce reports them: a stable `errorCode` and the
// message text of the `[{"errorCode","message"}]` body that job creation answers with.

/** A query Salesforce would refuse; `errorCode` and `message` go into the 400 body as they are. */
export class SoqlError extends Error {
  readonly errorCode: string;
  constructor(errorCode: string, message: string) {
    super(message);
    this.name = 'SoqlError';
    this.errorCode = errorCode;
  }
}

/** Characters before the error that Salesforce shows in its excerpt (fitted to captured messages). */
const EXCERPT_BEFORE = 42;
/** Characters after the end of the offending token that Salesforce shows (fitted to captured messages). */
const EXCERPT_AFTER = 30;

/** Offsets where SOQL tokens start on a line (string literals are one token). */
function tokenStarts(line: string): number[] {
  const starts: number[] = [];
  const word = /[A-Za-z0-9_]/;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    starts.push(i);
    if (c === "'") {
      i++;
      while (i < line.length && line[i] !== "'") i += line[i] === '\\' ? 2 : 1;
      i++;
    } else if (word.test(c)) {
      while (i < line.length && word.test(line[i])) i++;
    } else if ('!<>'.includes(c) && line[i + 1] === '=') i += 2;
    else i++;
  }
  return starts;
}

/**
 * Salesforce's positioned error text:
 * `\n<excerpt of the row>\n<spaces>^\nERROR at Row:<r>:Column:<c>\n<text>`.
 * The excerpt starts at the first token within 42 characters before the error and ends 30
 * characters after the offending token (both fitted to captured messages: Salesforce does not
 * document the window).
 */
export function positionedMessage(soql: string, offset: number, tokenLength: number, text: string): string {
  let lineStart = 0;
  let row = 1;
  for (let i = 0; i < offset && i < soql.length; i++) {
    if (soql[i] === '\n') {
      row++;
      lineStart = i + 1;
    }
  }
  let lineEnd = soql.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = soql.length;
  const line = soql.slice(lineStart, lineEnd).replace(/\r$/, '');
  const col = offset - lineStart;
  const start = tokenStarts(line).find((p) => p >= col - EXCERPT_BEFORE && p <= col) ?? col;
  const end = Math.min(line.length, col + Math.max(tokenLength, 0) + EXCERPT_AFTER);
  const excerpt = line.slice(start, end);
  return `\n${excerpt}\n${' '.repeat(col - start)}^\nERROR at Row:${row}:Column:${col + 1}\n${text}`;
}

export function malformed(soql: string, offset: number, tokenLength: number, text: string): SoqlError {
  return new SoqlError('MALFORMED_QUERY', positionedMessage(soql, offset, tokenLength, text));
}

export const TEXT = {
  unexpectedToken: (tok: string) => `unexpected token: '${tok}'`,
  noSuchColumn: (field: string, entity: string) =>
    `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to ` +
    `append the '__c' after the custom field name. Please reference your WSDL or the describe call for the ` +
    `appropriate names.`,
  unknownObject: (name: string) =>
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append ` +
    `the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  badRelationship: (name: string) =>
    `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, ` +
    `be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe ` +
    `call for the appropriate names.`,
  duplicateField: (name: string) => `duplicate field selected: ${name}`,
  notFilterable: (name: string) => `field '${name}' can not be filtered in query call`,
  notSortable: (name: string) => `field '${name}' can not be sorted in a query call`,
  filterType: (field: string, type: string, quoted: boolean) =>
    `value of filter criterion for field '${field}' must be of type ${type} and should ${quoted ? '' : 'not '}` +
    `be enclosed in quotes`,
  invalidId: (value: string) => `invalid ID field: ${value}`,
  notQueryable: (name: string) => `entity type ${name} does not support query`,
  // Bulk API 2.0 refusals (job create answers 400 API_ERROR with these).
  aggregate: 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type',
  compound: 'Selecting compound data not supported in Bulk Query',
  blob: 'Blob field not supported in Bulk V2 Query with CSV content type',
  offset: 'OFFSET clause not supported in Bulk V2 Query with CSV content type',
  typeOf: 'TYPEOF clause not supported in Bulk V2 Query with CSV content type',
  bindVariable: 'Bind variables only allowed in Apex code',
} as const;
