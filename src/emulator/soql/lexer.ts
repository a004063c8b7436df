// SOQL tokens. Keywords are plain identifiers (compared case-insensitively by the parser), so a
// field named like a keyword still lexes; positions are kept for Salesforce's `Row:Column` errors.
import { malformed } from './errors.js';

export type TokenKind =
  | 'ident' // names and keywords
  | 'string' // '...' (value decoded; `raw` keeps the escapes, needed for LIKE)
  | 'number'
  | 'date' // 2026-01-31
  | 'datetime' // 2026-01-31T10:00:00Z, ...+01:00, ....000Z
  | 'op' // = != <> < <= > >=
  | 'punct' // ( ) , . :
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text (for strings: including the quotes). */
  readonly text: string;
  /** Decoded value of a string literal. */
  readonly value: string;
  /** String literal body with its escapes as written. */
  readonly raw: string;
  readonly offset: number;
}

const DATE_TIME = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))?/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
}

function decodeString(soql: string, start: number, body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case 'n': case 'N': out += '\n'; break;
      case 'r': case 'R': out += '\r'; break;
      case 't': case 'T': out += '\t'; break;
      case 'b': case 'B': out += '\b'; break;
      case 'f': case 'F': out += '\f'; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case '\\': out += '\\'; break;
      case '%': out += '%'; break;
      case '_': out += '_'; break;
      case 'u': {
        const hex = body.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw malformed(soql, start, body.length + 2, `Invalid string literal '${body}'. Illegal unicode escape sequence.`);
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        throw malformed(soql, start, body.length + 2, `Invalid string literal '${body}'. Illegal escape sequence.`);
    }
  }
  return out;
}

/** Splits a SOQL statement into tokens; throws MALFORMED_QUERY on characters SOQL does not know. */
export function tokenize(soql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = soql.length;
  const push = (kind: TokenKind, text: string, offset: number, value = '', raw = '') =>
    out.push({ kind, text, value, raw, offset });
  while (i < n) {
    const c = soql[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      while (j < n && soql[j] !== "'") j += soql[j] === '\\' ? 2 : 1;
      if (j >= n) throw malformed(soql, i, n - i, `unexpected token: '${soql.slice(i)}'`);
      const body = soql.slice(i + 1, j);
      push('string', soql.slice(i, j + 1), i, decodeString(soql, i, body), body);
      i = j + 1;
      continue;
    }
    if (c >= '0' && c <= '9') {
      DATE_TIME.lastIndex = i;
      const dm = DATE_TIME.exec(soql);
      if (dm) {
        push(dm[0].length > 10 ? 'datetime' : 'date', dm[0], i);
        i += dm[0].length;
        continue;
      }
    }
    if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(soql[i + 1] ?? '')) ||
        ((c === '-' || c === '+') && /[0-9.]/.test(soql[i + 1] ?? ''))) {
      const sign = c === '-' || c === '+' ? c : '';
      NUMBER.lastIndex = i + sign.length;
      const m = NUMBER.exec(soql);
      if (m) {
        push('number', sign + m[0], i);
        i += sign.length + m[0].length;
        continue;
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const m = IDENT.exec(soql)!;
      push('ident', m[0], i);
      i += m[0].length;
      continue;
    }
    const two = soql.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      push('op', two, i);
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      push('op', c, i);
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.' || c === ':') {
      push('punct', c, i);
      i++;
      continue;
    }
    throw malformed(soql, i, 1, `unexpected token: '${c}'`);
  }
  push('eof', '<EOF>', n);
  return out;
}
