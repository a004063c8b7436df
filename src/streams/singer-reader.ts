// Reading Singer messages: lines split from a byte stream (UTF-8 decoded across chunk boundaries), and one line
// parsed and checked for the keys its type requires. A bad line is a ConnectorError naming the line number and what
// is wrong. (The target reads blocks of whole lines itself, src/streams/line-blocks.ts, and parses each line here.)
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ConnectorError } from './connector-errors.js';
import type { JsonValue, SingerMessage } from './singer-messages.js';

export interface OtherMessage {
  readonly line: number;
  readonly type: string;
}

/**
 * Splits a byte stream into lines (LF or CRLF), decoding UTF-8 across chunk boundaries: the lines of each input
 * chunk together, so a consumer pays one asynchronous step per chunk instead of one per line.
 */
export async function* readLineBatches(input: Readable | AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of input) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines: string[] = [];
    let start = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      const end = i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
      lines.push(text.slice(start, end));
      start = i + 1;
    }
    rest = start === 0 ? text : text.slice(start);
    if (lines.length) yield lines;
  }
  rest += decoder.end();
  if (rest.length) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

function bad(line: number, what: string): ConnectorError {
  return new ConnectorError('INPUT_INVALID', `input line ${line}: ${what}`, { where: `line ${line}` });
}

/**
 * Parses one line into a Singer message. Blank lines give undefined; unknown types give an OtherMessage (the
 * caller logs them at debug). `type` is compared case-insensitively.
 */
export function parseSingerLine(text: string, line: number): SingerMessage | OtherMessage | undefined {
  if (text.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(line, `not JSON (${(e as Error).message}): ${preview(text)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(line, 'a Singer message must be a JSON object');
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string') throw bad(line, 'the message has no "type" string');
  const type = m.type.toUpperCase();
  const needStream = (): string => {
    if (typeof m.stream !== 'string' || m.stream === '') throw bad(line, `${type} message without a "stream" string`);
    return m.stream;
  };
  switch (type) {
    case 'RECORD': {
      const stream = needStream();
      if (m.record === null || typeof m.record !== 'object' || Array.isArray(m.record)) throw bad(line, `RECORD of stream "${stream}" without a "record" object`);
      // The parsed object is ours alone: normalise it in place instead of copying it (one object less per record).
      m.type = 'RECORD';
      return m as unknown as SingerMessage;
    }
    case 'SCHEMA': {
      const stream = needStream();
      if (m.schema === null || typeof m.schema !== 'object' || Array.isArray(m.schema)) throw bad(line, `SCHEMA of stream "${stream}" without a "schema" object`);
      const keys = m.key_properties ?? [];
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw bad(line, `SCHEMA of stream "${stream}": "key_properties" must be an array of strings`);
      return { ...(m as object), type: 'SCHEMA', stream, schema: m.schema as { [k: string]: unknown }, key_properties: keys as string[] } as SingerMessage;
    }
    case 'STATE':
      if (!('value' in m)) throw bad(line, 'STATE message without a "value"');
      return { type: 'STATE', value: m.value as JsonValue };
    case 'ACTIVATE_VERSION': {
      const stream = needStream();
      if (typeof m.version !== 'number') throw bad(line, `ACTIVATE_VERSION of stream "${stream}" without a numeric "version"`);
      return { type: 'ACTIVATE_VERSION', stream, version: m.version };
    }
    default:
      return { line, type: m.type };
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
