// The CSV dialect a Bulk API 2.0 job names (`columnDelimiter`, `lineEnding`), defined once for the job store,
// the ingest reader and the query result writer.
export type ColumnDelimiter = 'BACKQUOTE' | 'CARET' | 'COMMA' | 'PIPE' | 'SEMICOLON' | 'TAB';
export type LineEnding = 'LF' | 'CRLF';

export const COLUMN_DELIMITERS: readonly ColumnDelimiter[] = ['BACKQUOTE', 'CARET', 'COMMA', 'PIPE', 'SEMICOLON', 'TAB'];
export const LINE_ENDINGS: readonly LineEnding[] = ['LF', 'CRLF'];

/** The character each delimiter name stands for. */
export const DELIMITER_CHARS: Readonly<Record<ColumnDelimiter, string>> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};
