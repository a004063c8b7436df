// The CSV format fields of a job create request, checked as Salesforce deserializes its enums.
import { COLUMN_DELIMITERS, LINE_ENDINGS } from '../jobs/types.js';
import type { ColumnDelimiter, LineEnding } from '../jobs/types.js';
import { ApiError } from './respond.js';

export function csvFormatOf(body: { columnDelimiter?: unknown; lineEnding?: unknown }): {
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
} {
  const columnDelimiter = (body.columnDelimiter ?? 'COMMA') as ColumnDelimiter;
  if (!COLUMN_DELIMITERS.includes(columnDelimiter)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize value of type ColumnDelimiterEnum from String "${String(body.columnDelimiter)}": value not one of declared Enum instance names: [${COLUMN_DELIMITERS.join(', ')}]`);
  }
  const lineEnding = (body.lineEnding ?? 'LF') as LineEnding;
  if (!LINE_ENDINGS.includes(lineEnding)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize value of type LineEndingEnum from String "${String(body.lineEnding)}": value not one of declared Enum instance names: [${LINE_ENDINGS.join(', ')}]`);
  }
  return { columnDelimiter, lineEnding };
}
