// A RECORD line's bytes -> its CSV row's bytes, without building the message object or a string per value: one
// scan of the line checks the JSON and each value against its stream's LineBytesPlan, then the cells are written
// from the input bytes (quoted and unescaped as CSV needs). It only answers when it can prove the answer is the one
// the JSON.parse path (record-row.ts) gives, byte for byte: anything it does not fully understand (an escape in a
// key, a nested value, a number not in its shortest form, a lone surrogate escape, a value a rule might refuse) returns
// -1 and the line takes that path, so every refusal and every message still comes from one piece of code.
// Input is trusted to be valid UTF-8 (the caller checks each block once).
import { CLEAR_FIELD } from './field-values.js';
import { F_BOOLEAN, F_DECIMAL, F_INT, T_BOOLEAN, T_INTEGER, T_NULL, T_NUMBER, T_STRING, type LineBytesPlan } from './line-bytes-plan.js';

const V_MISSING = 0;
const V_STRING = 1; // no escapes
const V_ESCAPED = 2; // a string with escapes
const V_NUMBER = 3; // shortest form, no exponent: its text is its cell
const V_FRACTION = 4; // as V_NUMBER, with a fraction
const V_TRUE = 5;
const V_FALSE = 6;
const V_NULL = 7;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Most significant digits a number may have for its text to be the shortest form of its double (DBL_DIG). */
const MAX_DIGITS = 15;

/** Bytes a string scan stops at: quote, backslash, comma, control characters. */
const SPECIAL = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) SPECIAL[c] = 1;
SPECIAL[QUOTE] = SPECIAL[BACKSLASH] = SPECIAL[COMMA] = 1;

/** Values this long are copied natively; shorter ones byte by byte (a native call costs more than a short loop). */
const NATIVE_COPY = 32;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** The text of the string literal whose contents are src[a, b) (rare: a key or required value with escapes). */
function literal(src: Buffer, a: number, b: number): string {
  return JSON.parse(src.toString('utf8', a - 1, b + 1)) as string;
}

/** The index after the object at src[i], or -1: only its nesting and strings are followed (it is checked later). */
function skipObject(src: Buffer, i: number, end: number): number {
  if (src[i] !== 0x7b) return -1;
  let depth = 0;
  for (; i < end; i++) {
    const c = src[i];
    if (c === QUOTE) {
      for (i++; i < end && src[i] !== QUOTE; i++) if (src[i] === BACKSLASH) i++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Characters (code points, as the length rule counts them) in the string literal contents src[a, b): UTF-8 lead
 * bytes, and one per escape (a surrogate pair's low half counts none).
 */
function codePoints(src: Buffer, a: number, b: number): number {
  let n = 0;
  for (let j = a; j < b; j++) {
    const c = src[j]!;
    if (c === BACKSLASH) {
      if (src[j + 1] === 0x75) {
        const first = hex(src[j + 2]!);
        if (!(first === 0xd && hex(src[j + 3]!) >= 0xc)) n++;
        j += 5;
      } else {
        n++;
        j++;
      }
    } else if ((c & 0xc0) !== 0x80) n++;
  }
  return n;
}

/** Finds plans by the stream name's bytes. */
export type PlanLookup = (line: Buffer, start: number, end: number) => LineBytesPlan | undefined;

export class LineBytesRows {
  /** The last row built: its CSV line with an LF ending is out[0, length). */
  out = Buffer.allocUnsafe(1 << 12);
  /** The row holds a CRLF line break in a value, so it travels in a CRLF chunk. */
  crlf = false;
  key: string | null = null;
  parentKey: string | null = null;
  plan: LineBytesPlan | undefined;
  // Per property of the current plan: value kind, where its bytes are, digits before the point.
  private kind = new Uint8Array(64);
  private from = new Int32Array(64);
  private to = new Int32Array(64);
  private whole = new Int32Array(64);
  private comma = new Uint8Array(64);
  private pos = 0;
  private bareLf = false;

  /** Builds the row of the RECORD line src[start, end); returns its CSV length (LF ending), or -1: take the JSON.parse path. */
  build(src: Buffer, start: number, end: number, lookup: PlanLookup): number {
    this.plan = undefined;
    let i = this.ws(src, start, end);
    if (src[i] !== 0x7b) return -1;
    i = this.ws(src, i + 1, end);
    let seen = 0; // 1 type, 2 stream, 4 record
    let plan: LineBytesPlan | undefined;
    let recordAt = -1; // a record before its stream: scanned once the stream is known
    for (;;) {
      if (src[i] !== QUOTE) return -1;
      const k = i + 1;
      i = k;
      while (i < end && src[i] !== QUOTE) {
        if (src[i] === BACKSLASH) return -1;
        i++;
      }
      if (i >= end) return -1;
      const klen = i - k;
      i = this.ws(src, i + 1, end);
      if (src[i] !== 0x3a) return -1;
      i = this.ws(src, i + 1, end);
      if (klen === 4 && src[k] === 0x74 && src[k + 1] === 0x79 && src[k + 2] === 0x70 && src[k + 3] === 0x65) {
        // "type": RECORD in any case
        if (seen & 1 || src[i] !== QUOTE || i + 7 >= end || src[i + 7] !== QUOTE) return -1;
        const r = 'record';
        for (let j = 0; j < 6; j++) if ((src[i + 1 + j]! | 0x20) !== r.charCodeAt(j)) return -1;
        seen |= 1;
        i += 8;
      } else if (klen === 6 && src[k] === 0x73 && src[k + 1] === 0x74 && src[k + 2] === 0x72 && src[k + 3] === 0x65 && src[k + 4] === 0x61 && src[k + 5] === 0x6d) {
        // "stream"
        if (seen & 2 || src[i] !== QUOTE) return -1;
        const s = i + 1;
        i = s;
        while (i < end && src[i] !== QUOTE) {
          if (src[i] === BACKSLASH || src[i]! < 0x20) return -1;
          i++;
        }
        if (i >= end || i === s) return -1;
        plan = lookup(src, s, i);
        if (plan === undefined) return -1;
        seen |= 2;
        i++;
      } else if (klen === 6 && src[k] === 0x72 && src[k + 1] === 0x65 && src[k + 2] === 0x63 && src[k + 3] === 0x6f && src[k + 4] === 0x72 && src[k + 5] === 0x64) {
        // "record"
        if (seen & 4) return -1;
        seen |= 4;
        if (plan === undefined) {
          recordAt = i;
          i = skipObject(src, i, end);
        } else i = this.record(plan, src, i, end);
        if (i < 0) return -1;
      } else {
        i = this.skipValue(src, i, end);
        if (i < 0) return -1;
      }
      i = this.ws(src, i, end);
      if (src[i] === COMMA) {
        i = this.ws(src, i + 1, end);
        continue;
      }
      if (src[i] !== 0x7d) return -1;
      break;
    }
    if (this.ws(src, i + 1, end) !== end || seen !== 7) return -1;
    if (recordAt >= 0 && this.record(plan!, src, recordAt, end) < 0) return -1;
    this.plan = plan;
    return this.emit(plan!, src);
  }

  private ws(src: Buffer, i: number, end: number): number {
    while (i < end && isWs(src[i]!)) i++;
    return i;
  }

  /** A top-level value nobody reads: a string, number or literal, checked as JSON.parse would. */
  private skipValue(src: Buffer, i: number, end: number): number {
    const c = src[i];
    if (c === QUOTE) return this.string(src, i, end, 63);
    const k = this.scalar(src, i, end, 63);
    return k < 0 ? -1 : this.pos;
  }

  /** Scans the record object at src[i]; returns the index after it, or -1. Fills kind/from/to/whole per property. */
  private record(plan: LineBytesPlan, src: Buffer, i: number, end: number): number {
    const props = plan.properties;
    const n = props.length;
    this.kind.fill(V_MISSING, 0, n);
    if (src[i] !== 0x7b) return -1;
    i = this.ws(src, i + 1, end);
    if (src[i] === 0x7d) return this.checkMissing(plan) ? i + 1 : -1;
    let next = 0; // keys usually come in schema order
    for (;;) {
      if (src[i] !== QUOTE) return -1;
      const k = i + 1;
      let p = -1;
      // The expected key first, compared in place: its bytes then the closing quote (names hold no quote or backslash).
      if (next < n) {
        const name = props[next]!.name;
        const len = name.length;
        if (k + len < end && src[k + len] === QUOTE) {
          let j = 0;
          while (j < len && name[j] === src[k + j]) j++;
          if (j === len) p = next;
        }
      }
      i = k;
      if (p >= 0) i += props[p]!.name.length;
      else
        while (i < end && src[i] !== QUOTE) {
          if (src[i] === BACKSLASH || src[i]! < 0x20) return -1;
          i++;
        }
      if (i >= end) return -1;
      const klen = i - k;
      for (let t = 0; p < 0 && t < n; t++) {
        const q = next + t < n ? next + t : next + t - n;
        const name = props[q]!.name;
        if (name.length !== klen) continue;
        let j = 0;
        while (j < klen && name[j] === src[k + j]) j++;
        if (j === klen) {
          p = q;
          break;
        }
      }
      i = this.ws(src, i + 1, end);
      if (src[i] !== 0x3a) return -1;
      i = this.ws(src, i + 1, end);
      if (p < 0) {
        if (plan.closed) return -1;
        i = this.skipValue(src, i, end); // an extra key: validated as JSON, not sent
        if (i < 0) return -1;
      } else {
        if (this.kind[p] !== V_MISSING) return -1; // a repeated key: JSON.parse keeps the last, leave that to it
        next = p + 1;
        i = src[i] === QUOTE ? this.string(src, i, end, p) : this.scalar(src, i, end, p) < 0 ? -1 : this.pos;
        if (i < 0) return -1;
        if (!this.fits(plan, p, src)) return -1;
      }
      i = this.ws(src, i, end);
      if (src[i] === COMMA) {
        i = this.ws(src, i + 1, end);
        continue;
      }
      if (src[i] !== 0x7d) return -1;
      return this.checkMissing(plan) ? i + 1 : -1;
    }
  }

  /** Every schema-required property is there, and every column that needs a value has one. */
  private checkMissing(plan: LineBytesPlan): boolean {
    const props = plan.properties;
    for (let p = 0; p < props.length; p++) if (this.kind[p] === V_MISSING && props[p]!.required) return false;
    for (const c of plan.columns) if (c.needsValue && this.kind[c.property] === V_MISSING) return false;
    return true;
  }

  /** The value of property p is valid for its schema type and its column's rules, surely. */
  private fits(plan: LineBytesPlan, p: number, src: Buffer): boolean {
    const prop = plan.properties[p]!;
    const v = this.kind[p]!;
    let types: number;
    if (v === V_STRING || v === V_ESCAPED) types = T_STRING;
    else if (v === V_NUMBER) types = T_NUMBER | T_INTEGER;
    else if (v === V_FRACTION) types = T_NUMBER;
    else if (v === V_NULL) types = T_NULL;
    else types = T_BOOLEAN;
    if (!(prop.types & types)) return false;
    if (prop.column < 0) return true;
    const c = plan.columns[prop.column]!;
    if (v === V_NULL) return !c.needsValue; // the null cell is blank or #N/A, both refused where a value is needed
    switch (c.field) {
      case F_INT:
        if (v !== V_NUMBER) return false;
        break;
      case F_DECIMAL:
        if (v !== V_NUMBER && v !== V_FRACTION) return false;
        break;
      case F_BOOLEAN:
        return v === V_TRUE || v === V_FALSE;
      default:
        if (c.picklist !== undefined) {
          if (v !== V_STRING) return false;
          if (!c.picklist.has(src.toString('utf8', this.from[p]!, this.to[p]!))) return false;
        }
        // Bytes are never fewer than characters: only a value longer in bytes is counted.
        if (c.maxLength >= 0 && this.to[p]! - this.from[p]! > c.maxLength && (v === V_STRING || v === V_ESCAPED ? codePoints(src, this.from[p]!, this.to[p]!) : c.maxLength + 1) > c.maxLength) return false;
    }
    if (c.maxWholeDigits >= 0 && (v === V_NUMBER || v === V_FRACTION) && this.whole[p]! > c.maxWholeDigits) return false;
    if (c.needsValue && (v === V_STRING || v === V_ESCAPED)) {
      const len = this.to[p]! - this.from[p]!;
      if (len === 0) return false;
      // "#N/A" clears the field: no value
      const a = this.from[p]!;
      if (v === V_ESCAPED ? literal(src, a, this.to[p]!) === CLEAR_FIELD : len === 4 && src[a] === 0x23 && src[a + 1] === 0x4e && src[a + 2] === 0x2f && src[a + 3] === 0x41) return false;
    }
    return true;
  }

  /** A JSON string at src[i] (the quote): records it for property p (63: nobody's); returns the index after it, or -1. */
  private string(src: Buffer, i: number, end: number, p: number): number {
    const s = i + 1;
    let escaped = false;
    let comma = false;
    for (i = s; i < end; i++) {
      const c = src[i]!;
      if (SPECIAL[c] === 0) continue; // one table load per byte for the bytes that need nothing
      if (c === QUOTE) break;
      if (c < 0x20) return -1;
      if (c === COMMA) comma = true;
      else {
        escaped = true;
        const e = src[++i];
        if (e === 0x75) {
          if (i + 4 >= end || hex(src[i + 1]!) < 0 || hex(src[i + 2]!) < 0 || hex(src[i + 3]!) < 0 || hex(src[i + 4]!) < 0) return -1;
          i += 4;
        } else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
      }
    }
    if (i >= end) return -1;
    if (p < 63) {
      this.kind[p] = escaped ? V_ESCAPED : V_STRING;
      this.comma[p] = comma ? 1 : 0;
      this.from[p] = s;
      this.to[p] = i;
    }
    return i + 1;
  }

  /**
   * A number or literal at src[i] for property p: its kind (this.pos: the index after it), or -1 when it is not
   * JSON or not a number whose text is the cell JSON.parse + plainNumber would give.
   */
  private scalar(src: Buffer, i: number, end: number, p: number): number {
    const s = i;
    let c = src[i];
    let kind: number;
    if (c === 0x74 && src[i + 1] === 0x72 && src[i + 2] === 0x75 && src[i + 3] === 0x65) {
      kind = V_TRUE;
      i += 4;
    } else if (c === 0x66 && src[i + 1] === 0x61 && src[i + 2] === 0x6c && src[i + 3] === 0x73 && src[i + 4] === 0x65) {
      kind = V_FALSE;
      i += 5;
    } else if (c === 0x6e && src[i + 1] === 0x75 && src[i + 2] === 0x6c && src[i + 3] === 0x6c) {
      kind = V_NULL;
      i += 4;
    } else {
      // -?(0|[1-9][0-9]*)(.[0-9]*[1-9])?, at most MAX_DIGITS digits, not -0: its own shortest form
      const negative = c === 0x2d;
      if (negative) c = src[++i];
      if (c === undefined || c < 0x30 || c > 0x39) return -1;
      const zero = c === 0x30;
      const w = i;
      i++;
      if (!zero) while (i < end && src[i]! >= 0x30 && src[i]! <= 0x39) i++;
      const whole = zero ? 0 : i - w;
      let digits = whole;
      kind = V_NUMBER;
      if (src[i] === 0x2e) {
        const f = ++i;
        while (i < end && src[i]! >= 0x30 && src[i]! <= 0x39) i++;
        if (i === f || src[i - 1] === 0x30) return -1;
        digits += i - f;
        kind = V_FRACTION;
      } else if (zero && negative) return -1; // -0 is written 0
      if (digits > MAX_DIGITS) return -1;
      const e = src[i];
      if (e === 0x65 || e === 0x45 || (e !== undefined && e >= 0x30 && e <= 0x39)) return -1;
      if (p < 63) this.whole[p] = whole;
    }
    if (i > end) return -1;
    if (p < 63) {
      this.kind[p] = kind;
      this.from[p] = s;
      this.to[p] = i;
    }
    this.pos = i;
    return kind;
  }

  private room(n: number): void {
    if (this.out.length < n) this.out = Buffer.allocUnsafe(Math.max(n, this.out.length * 2));
  }

  /** Writes the CSV line (LF ending) from the scanned values; -1 when a value's line breaks mix CRLF and bare LF. */
  private emit(plan: LineBytesPlan, src: Buffer): number {
    const cols = plan.columns;
    // Worst case per cell: quotes, #N/A, and an escape never grows (\" -> "", \uXXXX -> at most 3 bytes).
    let max = 2;
    for (const c of cols) max += this.to[c.property]! - this.from[c.property]! + 7;
    this.room(max);
    const out = this.out;
    this.crlf = false;
    this.bareLf = false;
    this.key = null;
    this.parentKey = null;
    let o = 0;
    for (let k = 0; k < cols.length; k++) {
      if (k) out[o++] = COMMA;
      const p = cols[k]!.property;
      const v = this.kind[p]!;
      const a = this.from[p]!;
      const b = this.to[p]!;
      const at = o;
      switch (v) {
        case V_MISSING:
          break;
        case V_NULL:
          o += plan.nullCell.copy(out, o);
          break;
        case V_TRUE:
          o += out.write('true', o, 'latin1');
          break;
        case V_FALSE:
          o += out.write('false', o, 'latin1');
          break;
        case V_ESCAPED:
          o = this.unescape(src, a, b, o);
          if (o < 0) return -1;
          break;
        default: {
          const comma = v === V_STRING && this.comma[p] === 1;
          if (comma) out[o++] = QUOTE;
          if (b - a > NATIVE_COPY) o += src.copy(out, o, a, b);
          else for (let j = a; j < b; j++) out[o++] = src[j]!;
          if (comma) out[o++] = QUOTE;
        }
      }
      if (k === plan.plan.keyIndex || k === plan.plan.parentIndex) {
        // Only a string can be quoted in its cell; every other cell is ASCII as written.
        const text = v === V_STRING ? src.toString('utf8', a, b) : v === V_ESCAPED ? literal(src, a, b) : out.toString('latin1', at, o);
        if (k === plan.plan.keyIndex) this.key = text;
        if (k === plan.plan.parentIndex) this.parentKey = text;
      }
    }
    if (this.crlf && this.bareLf) return -1;
    out[o++] = LF;
    return o;
  }

  /** Writes a string with escapes as its CSV cell at out[o]; returns the index after it. */
  private unescape(src: Buffer, a: number, b: number, o: number): number {
    const out = this.out;
    const at = o;
    o++; // room for an opening quote
    let quote = false;
    let prev = -1;
    for (let j = a; j < b; j++) {
      let c = src[j]!;
      if (c !== BACKSLASH) {
        if (c === COMMA) quote = true;
        out[o++] = c;
        prev = c;
        continue;
      }
      const e = src[++j]!;
      if (e === 0x75) {
        c = (hex(src[j + 1]!) << 12) | (hex(src[j + 2]!) << 8) | (hex(src[j + 3]!) << 4) | hex(src[j + 4]!);
        j += 4;
        if (c >= 0xd800 && c <= 0xdfff) {
          // a pair is one character of 4 UTF-8 bytes; a lone surrogate is left to JSON.parse and UTF-8 encoding
          const low = c <= 0xdbff && src[j + 1] === BACKSLASH && src[j + 2] === 0x75 ? (hex(src[j + 3]!) << 12) | (hex(src[j + 4]!) << 8) | (hex(src[j + 5]!) << 4) | hex(src[j + 6]!) : -1;
          if (low < 0xdc00 || low > 0xdfff) return -1;
          j += 6;
          const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          out[o++] = 0xf0 | (cp >> 18);
          out[o++] = 0x80 | ((cp >> 12) & 0x3f);
          out[o++] = 0x80 | ((cp >> 6) & 0x3f);
          out[o++] = 0x80 | (cp & 0x3f);
          prev = cp;
          continue;
        }
        if (c >= 0x80) {
          if (c < 0x800) {
            out[o++] = 0xc0 | (c >> 6);
          } else {
            out[o++] = 0xe0 | (c >> 12);
            out[o++] = 0x80 | ((c >> 6) & 0x3f);
          }
          out[o++] = 0x80 | (c & 0x3f);
          prev = c;
          continue;
        }
      } else c = e === 0x6e ? LF : e === 0x72 ? CR : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x66 ? 12 : e;
      if (c === QUOTE) {
        out[o++] = QUOTE;
        quote = true;
      } else if (c === COMMA || c === CR) quote = true;
      else if (c === LF) {
        quote = true;
        if (prev === CR) this.crlf = true;
        else this.bareLf = true;
      }
      out[o++] = c;
      prev = c;
    }
    if (!quote) {
      out.copyWithin(at, at + 1, o);
      return o - 1;
    }
    out[at] = QUOTE;
    out[o++] = QUOTE;
    return o;
  }
}
