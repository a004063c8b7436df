// Binds a parsed query to the org's metadata (canonical names, typed literals, Bulk 2.0 refusals)
// and turns it into an executable plan: a WHERE predicate compiled once per run, a stable sort on
// precomputed keys, LIMIT, and parent rows captured at run time for relationship columns.
import type { FieldDef, FieldValue, OrgStore, Row, SObjectType, Table } from '../org/types.js';
import { fieldDefFromDescribe } from '../org/metadata.js';
import { valueKindOf, type ValueKind } from '../org/value-kind.js';
import type { AggregateFunction, CompareOp, Condition, Literal, Operand, Path, Query, SubQuery } from './ast.js';
import { dateLiteralRange, dayToDateString, dayToMillis, todayUtc } from './date-literals.js';
import { positionedMessage, SoqlError, TEXT } from './errors.js';
import { parseCondition, parseQuery } from './parser.js';

/** One selected column of a record query: where its value comes from (query/result.ts prints it). */
export interface ResultColumn {
  /** Header cell, e.g. `Account.Name`. */
  readonly header: string;
  /** -1: the row itself; otherwise the index of the parent chain the value is read from. */
  readonly chain: number;
  /** Canonical field name read from the (parent) row. */
  readonly field: string;
  readonly kind: ValueKind;
}

/** A Bulk API 2.0 query, planned: run it to get the matching rows and, per relationship, their parents. */
export interface QueryPlan {
  /** The object queried (the job's `object`). */
  readonly object: SObjectType;
  readonly columns: readonly ResultColumn[];
  /** Runs the query now (`includeDeleted`: queryAll); chains[c][i] is the parent row of chain c for row i. */
  run(includeDeleted: boolean): { rows: Row[]; chains: (Row | undefined)[][] };
}

// ---------------------------------------------------------------------------------------------
// Resolution

export interface Hop {
  /** The reference field on the child (e.g. AccountId). */
  readonly field: FieldDef;
  /** The parent type fields are resolved against. */
  readonly target: SObjectType;
  /** Several possible parent types: the parent's table is found from the id's key prefix. */
  readonly polymorphic: boolean;
}

export interface Resolved {
  /** Canonical dotted name, e.g. `Account.Owner.Name`. */
  readonly name: string;
  readonly chain: readonly Hop[];
  /** Canonical relationship part, e.g. `Account.Owner` ('' for the object's own fields). */
  readonly chainKey: string;
  readonly field: FieldDef;
  readonly kind: ValueKind;
}

export interface Scope {
  readonly soql: string;
  readonly store: OrgStore | null;
  readonly root: SObjectType;
  readonly alias: string | null;
  /** Queries may only filter on filterable fields; validation-rule conditions read any field. */
  readonly filterableOnly: boolean;
  /** HAVING only: binds an aggregate operand (COUNT(Id)) and checks that a field operand is grouped. */
  readonly having?: {
    aggregate(op: Operand): Resolved;
    field(res: Resolved, op: Operand): void;
  };
}

function invalidField(scope: Scope, offset: number, length: number, text: string): SoqlError {
  return new SoqlError('INVALID_FIELD', positionedMessage(scope.soql, offset, length, text));
}

export function parentType(store: OrgStore, fd: FieldDef): { type: SObjectType; polymorphic: boolean } | undefined {
  const names = fd.referenceTo;
  const polymorphic = names.length > 1 || fd.polymorphicForeignKey;
  if (polymorphic) {
    // Fields of a polymorphic relationship resolve against User when it is a candidate (Owner).
    const user = names.find((n) => n.toLowerCase() === 'user');
    const preferred = (user && store.type(user)) || names.map((n) => store.type(n)).find((t) => t !== undefined);
    return preferred ? { type: preferred, polymorphic: true } : undefined;
  }
  const t = names.length ? store.type(names[0]) : undefined;
  return t ? { type: t, polymorphic: false } : undefined;
}

function resolvePath(scope: Scope, path: Path): Resolved {
  let segs = path.segments;
  if (scope.alias !== null && segs.length > 1 && segs[0].toLowerCase() === scope.alias.toLowerCase()) {
    segs = segs.slice(1);
  }
  let type = scope.root;
  const chain: Hop[] = [];
  const names: string[] = [];
  for (let i = 0; i < segs.length - 1; i++) {
    const fd = type.relationship(segs[i]);
    const parent = fd && scope.store ? parentType(scope.store, fd) : undefined;
    if (!fd || !parent || !fd.relationshipName) {
      throw invalidField(scope, path.offset, path.length, TEXT.badRelationship(segs[i]));
    }
    chain.push({ field: fd, target: parent.type, polymorphic: parent.polymorphic });
    names.push(fd.relationshipName);
    type = parent.type;
  }
  const last = segs[segs.length - 1];
  const field = type.field(last);
  if (!field) throw invalidField(scope, path.offset, path.length, TEXT.noSuchColumn(last, type.name));
  const chainKey = names.join('.');
  return {
    name: chainKey ? `${chainKey}.${field.name}` : field.name,
    chain,
    chainKey,
    field,
    kind: valueKindOf(field.type),
  };
}

// ---------------------------------------------------------------------------------------------
// Run time: parent look-ups against the live store, done once per row when the query runs.

export class Runtime {
  private readonly tables = new Map<string, Table | undefined>();
  constructor(
    readonly store: OrgStore | null,
    readonly today: number,
  ) {}

  table(name: string): Table | undefined {
    let t = this.tables.get(name);
    if (t === undefined && !this.tables.has(name)) {
      t = this.store?.table(name);
      this.tables.set(name, t);
    }
    return t;
  }

  parent(hop: Hop, id: string): Row | undefined {
    if (hop.polymorphic) {
      const t = this.store?.typeOfId(id);
      return t ? this.table(t.name)?.get(id) : undefined;
    }
    return this.table(hop.target.name)?.get(id);
  }
}

export type Getter = (row: Row) => FieldValue;
export type GetterFactory = (rt: Runtime) => Getter;
type Predicate = (row: Row) => boolean;
export type PredicateFactory = (rt: Runtime) => Predicate;

export function getterOf(res: Resolved): GetterFactory {
  const name = res.field.name;
  if (res.chain.length === 0) {
    const get: Getter = (row) => {
      const v = row[name];
      return v === undefined ? null : v;
    };
    return () => get;
  }
  const chain = res.chain;
  return (rt) => (row) => {
    let r: Row | undefined = row;
    for (let i = 0; i < chain.length; i++) {
      const id: FieldValue | undefined = r[chain[i].field.name];
      if (typeof id !== 'string' || id === '') return null;
      r = rt.parent(chain[i], id);
      if (r === undefined) return null;
    }
    const v = r[name];
    return v === undefined ? null : v;
  };
}

// ---------------------------------------------------------------------------------------------
// WHERE

interface BoundOperand {
  readonly res: Resolved;
  /** Kind of the compared value (a date function yields 'int', DAY_ONLY a 'date'). */
  readonly kind: ValueKind;
  readonly get: GetterFactory;
  /** Name used in filter-type messages. */
  readonly label: string;
}

const DAY_MS = 86_400_000;

function dateParts(v: FieldValue, kind: ValueKind): Date | null {
  if (v === null) return null;
  if (kind === 'datetime' && typeof v === 'number') return new Date(v);
  if (kind === 'date' && typeof v === 'string') return new Date(`${v}T00:00:00Z`);
  return null;
}

function applyDateFunction(fn: string, d: Date): FieldValue {
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  switch (fn) {
    case 'CALENDAR_YEAR': return d.getUTCFullYear();
    case 'CALENDAR_MONTH': return d.getUTCMonth() + 1;
    case 'CALENDAR_QUARTER': return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'DAY_IN_MONTH': return d.getUTCDate();
    case 'DAY_IN_WEEK': return d.getUTCDay() + 1;
    case 'DAY_IN_YEAR': return Math.floor((d.getTime() - startOfYear) / DAY_MS) + 1;
    case 'HOUR_IN_DAY': return d.getUTCHours();
    case 'WEEK_IN_YEAR': return Math.floor((d.getTime() - startOfYear) / DAY_MS / 7) + 1;
    case 'WEEK_IN_MONTH': return Math.floor((d.getUTCDate() - 1) / 7) + 1;
    case 'DAY_ONLY': return d.toISOString().slice(0, 10);
    default: return null;
  }
}

function bindOperand(scope: Scope, op: Operand): BoundOperand {
  if (op.aggregate) {
    if (!scope.having) {
      throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, op.path.offset, op.path.length, 'Aggregate functions are allowed only in the SELECT list and HAVING'));
    }
    const agg = scope.having.aggregate(op);
    return { res: agg, kind: agg.kind, get: getterOf(agg), label: scope.soql.substr(op.path.offset, op.path.length) };
  }
  const res = resolvePath(scope, op.path);
  scope.having?.field(res, op);
  if (scope.filterableOnly && !res.field.filterable) throw new SoqlError('INVALID_FIELD', TEXT.notFilterable(res.name));
  if (op.fn === null) return { res, kind: res.kind, get: getterOf(res), label: res.field.name };
  const fn = op.fn;
  const ok = res.kind === 'datetime' || (res.kind === 'date' && fn !== 'HOUR_IN_DAY' && fn !== 'DAY_ONLY');
  if (!ok) {
    throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, op.path.offset, op.path.length,
      `${fn} can only be applied to a field of type ${fn === 'HOUR_IN_DAY' || fn === 'DAY_ONLY' ? 'dateTime' : 'date or dateTime'}`));
  }
  const base = getterOf(res);
  const baseKind = res.kind;
  return {
    res,
    kind: fn === 'DAY_ONLY' ? 'date' : 'int',
    label: `${fn}(${res.field.name})`,
    get: (rt) => {
      const g = base(rt);
      return (row) => {
        const d = dateParts(g(row), baseKind);
        return d === null ? null : applyDateFunction(fn, d);
      };
    },
  };
}

const ID_LITERAL = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

type Typed = { readonly kind: 'value'; readonly value: FieldValue } | { readonly kind: 'range'; readonly name: string; readonly n: number };

function typeName(kind: ValueKind): string {
  switch (kind) {
    case 'bool': return 'boolean';
    case 'int': return 'integer';
    case 'double': return 'double';
    case 'date': return 'date';
    case 'datetime': return 'dateTime';
    case 'id': return 'id';
    case 'time': return 'time';
    default: return 'string';
  }
}

/** Checks a literal against the operand's type and returns it in the stored representation. */
function typedLiteral(scope: Scope, o: BoundOperand, lit: Literal): Typed {
  if (lit.kind === 'null') return { kind: 'value', value: null };
  const wrongType = (): SoqlError => {
    const quotedExpected = o.kind === 'text' || o.kind === 'id' || o.kind === 'multi' || o.kind === 'time';
    return invalidField(scope, lit.offset, lit.length, TEXT.filterType(o.label, typeName(o.kind), quotedExpected));
  };
  switch (o.kind) {
    case 'text':
    case 'multi':
      if (lit.kind !== 'string') throw wrongType();
      return { kind: 'value', value: lit.value === '' ? null : lit.value };
    case 'time':
      if (lit.kind !== 'string') throw wrongType();
      return { kind: 'value', value: lit.value === '' ? null : storedTime(lit.value) };
    case 'id':
      if (lit.kind !== 'string') throw wrongType();
      if (lit.value === '') return { kind: 'value', value: null };
      if (!ID_LITERAL.test(lit.value)) {
        throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR',
          positionedMessage(scope.soql, lit.offset, lit.length, TEXT.invalidId(lit.value)));
      }
      // Ids compare by their 15-character, case-sensitive form: an 18-character literal names the same record.
      return { kind: 'value', value: idKey(lit.value) };
    case 'bool':
      if (lit.kind !== 'boolean') throw wrongType();
      return { kind: 'value', value: lit.value };
    case 'int':
    case 'double':
      if (lit.kind !== 'number') throw wrongType();
      return { kind: 'value', value: lit.value };
    case 'date':
      if (lit.kind === 'dateLiteral') return { kind: 'range', name: lit.name, n: lit.n };
      if (lit.kind !== 'date') throw wrongType();
      return { kind: 'value', value: lit.value };
    case 'datetime':
      if (lit.kind === 'dateLiteral') return { kind: 'range', name: lit.name, n: lit.n };
      if (lit.kind !== 'datetime') throw wrongType();
      return { kind: 'value', value: lit.value };
  }
}

/** The 15-character, case-sensitive form of a record Id, by which Salesforce compares and orders Ids. */
function idKey(id: string): string {
  return id.length > 15 ? id.slice(0, 15) : id;
}

const TIME_LITERAL = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/;

/**
 * A time literal in the stored form `HH:mm:ss.SSSZ` (ingest/coerce.ts, org/seed.ts), so `'10:00:00Z'` equals and
 * orders like a stored `10:00:00.000Z`; text that is no time is kept and matches nothing.
 */
function storedTime(text: string): string {
  const m = TIME_LITERAL.exec(text);
  return m ? `${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(3, '0')}Z` : text;
}

/** Key under which a value is compared for equality / set membership. */
export function eqKey(v: FieldValue, kind: ValueKind): FieldValue {
  if (v === null) return null;
  switch (kind) {
    case 'text':
      return typeof v === 'string' ? v.toLowerCase() : v;
    case 'id':
      return typeof v === 'string' ? idKey(v) : v;
    case 'multi':
      return typeof v === 'string' ? normalizeMulti(v) : v;
    default:
      return v;
  }
}

function normalizeMulti(s: string): string {
  return s
    .split(';')
    .map((x) => x.trim().toLowerCase())
    .filter((x) => x !== '')
    .sort()
    .join(';');
}

/** Ordering key: text compares case-insensitively (upper case, as Salesforce sorts). */
export function orderKey(v: FieldValue, kind: ValueKind): FieldValue {
  if (v === null) return null;
  if ((kind === 'text' || kind === 'multi') && typeof v === 'string') return v.toUpperCase();
  if (kind === 'bool') return v === true ? 1 : 0;
  return v;
}

function orderPredicate(op: CompareOp, get: Getter, val: FieldValue, kind: ValueKind): Predicate {
  const text = kind === 'text' || kind === 'multi';
  const lit = text && typeof val === 'string' ? val.toUpperCase() : val as number | string;
  if (text) {
    switch (op) {
      case '<': return (r) => { const v = get(r); return typeof v === 'string' && v.toUpperCase() < lit; };
      case '<=': return (r) => { const v = get(r); return typeof v === 'string' && v.toUpperCase() <= lit; };
      case '>': return (r) => { const v = get(r); return typeof v === 'string' && v.toUpperCase() > lit; };
      default: return (r) => { const v = get(r); return typeof v === 'string' && v.toUpperCase() >= lit; };
    }
  }
  if (kind === 'id') {
    // The literal is already 15 characters; a stored 18-character Id is cut to match, or `Id > X` would return X.
    switch (op) {
      case '<': return (r) => { const v = get(r); return typeof v === 'string' && idKey(v) < lit; };
      case '<=': return (r) => { const v = get(r); return typeof v === 'string' && idKey(v) <= lit; };
      case '>': return (r) => { const v = get(r); return typeof v === 'string' && idKey(v) > lit; };
      default: return (r) => { const v = get(r); return typeof v === 'string' && idKey(v) >= lit; };
    }
  }
  switch (op) {
    case '<': return (r) => { const v = get(r); return v !== null && (v as number | string) < lit; };
    case '<=': return (r) => { const v = get(r); return v !== null && (v as number | string) <= lit; };
    case '>': return (r) => { const v = get(r); return v !== null && (v as number | string) > lit; };
    default: return (r) => { const v = get(r); return v !== null && (v as number | string) >= lit; };
  }
}

function equalsPredicate(get: Getter, val: FieldValue, kind: ValueKind): Predicate {
  if (val === null) return (r) => get(r) === null;
  switch (kind) {
    case 'text': {
      const s = val as string;
      const lower = s.toLowerCase();
      return (r) => {
        const v = get(r);
        return v === s || (typeof v === 'string' && v.length === s.length && v.toLowerCase() === lower);
      };
    }
    case 'id': {
      const p = val as string;
      return (r) => {
        const v = get(r);
        return typeof v === 'string' && idKey(v) === p;
      };
    }
    case 'multi': {
      const norm = normalizeMulti(val as string);
      return (r) => {
        const v = get(r);
        return typeof v === 'string' && normalizeMulti(v) === norm;
      };
    }
    default:
      return (r) => get(r) === val;
  }
}

/** `[lo, hi)` of a date literal in the operand's stored representation. */
function rangeBounds(t: { name: string; n: number }, kind: ValueKind, today: number): [FieldValue, FieldValue] {
  const { start, end } = dateLiteralRange(t.name, t.n, today);
  return kind === 'date' ? [dayToDateString(start), dayToDateString(end)] : [dayToMillis(start), dayToMillis(end)];
}

function bindCompare(scope: Scope, c: Extract<Condition, { kind: 'compare' }>): PredicateFactory {
  const o = bindOperand(scope, c.left);
  const t = typedLiteral(scope, o, c.right);
  const op = c.op;
  if (t.kind === 'range') {
    return (rt) => {
      const get = o.get(rt);
      const [lo, hi] = rangeBounds(t, o.kind, rt.today) as [number | string, number | string];
      const within = (r: Row): boolean => {
        const v = get(r) as number | string | null;
        return v !== null && v >= lo && v < hi;
      };
      switch (op) {
        case '=': return within;
        case '!=': return (r) => !within(r);
        case '<': return (r) => { const v = get(r) as number | string | null; return v !== null && v < lo; };
        case '<=': return (r) => { const v = get(r) as number | string | null; return v !== null && v < hi; };
        case '>': return (r) => { const v = get(r) as number | string | null; return v !== null && v >= hi; };
        default: return (r) => { const v = get(r) as number | string | null; return v !== null && v >= lo; };
      }
    };
  }
  const val = t.value;
  if (val === null && op !== '=' && op !== '!=') return () => () => false;
  return (rt) => {
    const get = o.get(rt);
    if (op === '=') return equalsPredicate(get, val, o.kind);
    if (op === '!=') {
      const eq = equalsPredicate(get, val, o.kind);
      return (r) => !eq(r);
    }
    return orderPredicate(op, get, val, o.kind);
  };
}

/** LIKE pattern → anchored, case-insensitive RegExp; `%` any run, `_` one character, `\%` `\_` literal. */
export function likeRegExp(raw: string): RegExp {
  let src = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      const lit = ({ n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f' } as Record<string, string>)[n] ?? n;
      src += lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'iu');
}

function bindLike(scope: Scope, c: Extract<Condition, { kind: 'like' }>): PredicateFactory {
  const o = bindOperand(scope, c.left);
  if (c.pattern.kind !== 'string') {
    throw invalidField(scope, c.pattern.offset, c.pattern.length, TEXT.filterType(o.label, 'string', true));
  }
  const re = likeRegExp(c.pattern.raw);
  return (rt) => {
    const get = o.get(rt);
    return (r) => {
      const v = get(r);
      return typeof v === 'string' && re.test(v);
    };
  };
}

function bindIn(scope: Scope, c: Extract<Condition, { kind: 'in' }>): PredicateFactory {
  const o = bindOperand(scope, c.left);
  const negated = c.negated;
  if (!Array.isArray(c.values)) return bindSemiJoin(scope, o, c.values as SubQuery, negated);
  const keys = new Set<FieldValue>();
  let hasNull = false;
  for (const lit of c.values as readonly Literal[]) {
    const t = typedLiteral(scope, o, lit);
    if (t.kind === 'range') throw invalidField(scope, lit.offset, lit.length, TEXT.unexpectedToken(scope.soql.substr(lit.offset, lit.length)));
    if (t.value === null) hasNull = true;
    else keys.add(eqKey(t.value, o.kind));
  }
  const kind = o.kind;
  return (rt) => {
    const get = o.get(rt);
    const member = (r: Row): boolean => {
      const v = get(r);
      return v === null ? hasNull : keys.has(eqKey(v, kind));
    };
    return negated ? (r) => !member(r) : member;
  };
}

function bindSemiJoin(scope: Scope, o: BoundOperand, sub: SubQuery, negated: boolean): PredicateFactory {
  if (!scope.store) throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, sub.offset, 6, TEXT.unexpectedToken('SELECT')));
  const inner = bindQuery(scope.store, scope.soql, sub.query);
  if (inner.columns.length !== 1 || inner.columns[0].kind !== 'id' || o.kind !== 'id') {
    throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, sub.offset, 6,
      `The selected field '${inner.columns[0]?.header ?? ''}' in the subquery and the left operand field in the where ` +
      `expression in the outer query '${o.res.name}' should point to the same object type`));
  }
  return (rt) => {
    const ids = new Set<string>();
    const { rows, chains } = inner.run(rt, false);
    const col = inner.columns[0];
    for (let i = 0; i < rows.length; i++) {
      const src = col.chain < 0 ? rows[i] : chains[col.chain][i];
      const v = src?.[col.field];
      if (typeof v === 'string' && v !== '') ids.add(idKey(v));
    }
    const get = o.get(rt);
    const member = (r: Row): boolean => {
      const v = get(r);
      return typeof v === 'string' && ids.has(idKey(v));
    };
    return negated ? (r) => !member(r) : member;
  };
}

function bindIncludes(scope: Scope, c: Extract<Condition, { kind: 'includes' }>): PredicateFactory {
  const o = bindOperand(scope, c.left);
  if (o.kind !== 'multi') {
    throw new SoqlError('INVALID_FIELD', positionedMessage(scope.soql, c.left.path.offset, c.left.path.length,
      `${c.negated ? 'excludes' : 'includes'} operator is only valid on multi-select picklist fields`));
  }
  const wanted: string[][] = [];
  for (const lit of c.values) {
    const t = typedLiteral(scope, o, lit);
    if (t.kind === 'value' && typeof t.value === 'string') wanted.push(normalizeMulti(t.value).split(';'));
  }
  const negated = c.negated;
  return (rt) => {
    const get = o.get(rt);
    return (r) => {
      const v = get(r);
      if (typeof v !== 'string') return negated;
      const have = new Set(normalizeMulti(v).split(';'));
      const any = wanted.some((parts) => parts.every((p) => have.has(p)));
      return negated ? !any : any;
    };
  };
}

function bindCondition(scope: Scope, c: Condition): PredicateFactory {
  switch (c.kind) {
    case 'and':
    case 'or': {
      const parts = c.items.map((i) => bindCondition(scope, i));
      const isAnd = c.kind === 'and';
      return (rt) => {
        const ps = parts.map((p) => p(rt));
        if (ps.length === 2) {
          const [a, b] = ps;
          return isAnd ? (r) => a(r) && b(r) : (r) => a(r) || b(r);
        }
        return isAnd ? (r) => ps.every((p) => p(r)) : (r) => ps.some((p) => p(r));
      };
    }
    case 'not': {
      const inner = bindCondition(scope, c.item);
      return (rt) => {
        const p = inner(rt);
        return (r) => !p(r);
      };
    }
    case 'compare':
      return bindCompare(scope, c);
    case 'like':
      return bindLike(scope, c);
    case 'in':
      return bindIn(scope, c);
    case 'includes':
      return bindIncludes(scope, c);
  }
}

// ---------------------------------------------------------------------------------------------
// Query plan

interface OrderPlan {
  readonly get: GetterFactory;
  readonly kind: ValueKind;
  readonly descending: boolean;
  readonly nullsLast: boolean;
}

function sortRows(rows: Row[], order: readonly OrderPlan[], rt: Runtime): Row[] {
  const n = rows.length;
  const keys = order.map((o) => {
    const get = o.get(rt);
    const arr = new Array<FieldValue>(n);
    for (let i = 0; i < n; i++) arr[i] = orderKey(get(rows[i]), o.kind);
    return arr;
  });
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const m = order.length;
  idx.sort((a, b) => {
    for (let k = 0; k < m; k++) {
      const ka = keys[k][a];
      const kb = keys[k][b];
      if (ka === kb) continue;
      const o = order[k];
      if (ka === null) return o.nullsLast ? 1 : -1;
      if (kb === null) return o.nullsLast ? -1 : 1;
      const c = (ka as number | string) < (kb as number | string) ? -1 : (ka as number | string) > (kb as number | string) ? 1 : 0;
      if (c !== 0) return o.descending ? -c : c;
    }
    return a - b;
  });
  const out = new Array<Row>(n);
  for (let i = 0; i < n; i++) out[i] = rows[idx[i]];
  return out;
}

function refuse(text: string): SoqlError {
  return new SoqlError('API_ERROR', text);
}

/** Which API runs the query: Bulk API 2.0 jobs refuse what the REST `query` resource accepts. */
export type QueryApi = 'bulk' | 'rest';

/** Constructs valid in REST SOQL that this emulator does not evaluate: said plainly, never silently wrong. */
function emulatorLimit(what: string): SoqlError {
  return new SoqlError('API_ERROR', `salesforce-bulk-emulator does not support ${what} in REST queries`);
}

/** The largest OFFSET SOQL accepts (SOQL and SOSL Reference, "OFFSET"). */
export const MAX_SOQL_OFFSET = 2000;

function checkRefusals(soql: string, q: Query, api: QueryApi): void {
  const u = q.unsupported;
  if (u.selectFunction) throw emulatorLimit(`${u.selectFunction.name}()`);
  if (api === 'bulk') {
    if (u.subquery || u.aggregate || u.groupBy || u.having) throw refuse(TEXT.aggregate);
    if (u.typeOf) throw refuse(TEXT.typeOf);
    if (u.offsetClause) throw refuse(TEXT.offset);
    return;
  }
  if (u.subquery) throw emulatorLimit('parent-to-child subqueries');
  if (u.typeOf) throw emulatorLimit('TYPEOF');
  if (u.orderByAggregate) throw emulatorLimit('ORDER BY an aggregate function');
  if (u.grouping) throw emulatorLimit('GROUPING()');
  if (q.groupByFunction) throw emulatorLimit(`GROUP BY ${q.groupByFunction}`);
  // FIELDS(ALL) and FIELDS(CUSTOM) are unbounded sets of fields: REST takes them only with LIMIT 200 or less.
  const unbounded = q.select.find((i) => i.kind === 'fields' && i.which !== 'STANDARD');
  if (unbounded && (q.limit === null || q.limit > 200)) {
    throw new SoqlError('MALFORMED_QUERY', positionedMessage(soql, (unbounded as { offset: number }).offset, 6, 'The SOQL FIELDS function must have a LIMIT of at most 200'));
  }
  // An aggregate function without GROUP BY makes one row: LIMIT is refused (count() may take one).
  const aggregates = q.select.filter((i) => i.kind === 'aggregate');
  if (q.limit !== null && q.groupBy.length === 0 && aggregates.length && !aggregates.every((i) => i.kind === 'aggregate' && i.fn === 'COUNT' && i.arg === null)) {
    throw new SoqlError('MALFORMED_QUERY', 'LIMIT is not allowed in a query with an aggregate function and no GROUP BY');
  }
  if (q.offset !== null && q.offset > MAX_SOQL_OFFSET) {
    throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_SOQL_OFFSET}`);
  }
}

/** The bound SELECT list: fields of a record query, or the groups and aggregates of an aggregate query. */
export type Selection =
  | { readonly kind: 'records'; readonly fields: readonly Resolved[] }
  | { readonly kind: 'count' }
  | { readonly kind: 'aggregate'; readonly plan: AggregatePlan };

/** One GROUP BY key: a field, or a date function of one. */
export interface GroupKey {
  /** Lower-case name SELECT, ORDER BY and HAVING match it by (`calendar_year(closedate)`). */
  readonly name: string;
  readonly res: Resolved;
  readonly fn: string | null;
  /** Kind of the key's value (a date function's is an integer, DAY_ONLY's a date). */
  readonly kind: ValueKind;
  readonly get: GetterFactory;
  /** Field whose type prints the value; null for a date function's value, printed as it is. */
  readonly field: FieldDef | null;
}

export interface AggregatePlan {
  readonly groupBy: readonly GroupKey[];
  readonly items: readonly ({ readonly kind: 'group'; readonly index: number; readonly key: string } |
    { readonly kind: 'aggregate'; readonly fn: AggregateFunction; readonly arg: Resolved | null; readonly key: string })[];
  /** ORDER BY over grouped fields: index into groupBy. */
  readonly order: readonly { readonly index: number; readonly descending: boolean; readonly nullsLast: boolean }[];
  /** Aggregates HAVING reads that the SELECT list may not have, computed per group under these names. */
  readonly hidden: readonly { readonly fn: AggregateFunction; readonly arg: Resolved | null; readonly name: string }[];
  /** HAVING over a group's row: grouped fields under their names, `hidden` aggregates under theirs. */
  readonly having: PredicateFactory | null;
}

function checkAggregateArg(scope: Scope, fn: AggregateFunction, arg: Resolved | null, offset: number, length: number): void {
  if (!arg) return;
  const numeric = arg.kind === 'int' || arg.kind === 'double';
  const ok = fn === 'SUM' || fn === 'AVG' ? numeric : fn === 'COUNT' || fn === 'COUNT_DISTINCT' ? true : arg.kind !== 'bool' && arg.kind !== 'multi';
  if (!ok || arg.field.raw.aggregatable === false) {
    throw new SoqlError('INVALID_FIELD', positionedMessage(scope.soql, offset, length, `field ${arg.field.name} does not support aggregate operator ${fn}`));
  }
}

/** The field type an aggregate's value has: counts are integers, sums and averages doubles, MIN/MAX their field's. */
function aggregateType(fn: AggregateFunction, arg: Resolved | null): FieldDef['type'] {
  if (fn === 'COUNT' || fn === 'COUNT_DISTINCT') return 'int';
  if (fn === 'SUM' || fn === 'AVG') return 'double';
  return arg ? arg.field.type : 'int';
}

function bindHaving(scope: Scope, having: Condition, groupBy: readonly GroupKey[], hidden: AggregatePlan['hidden'][number][]): PredicateFactory {
  const hscope: Scope = {
    ...scope,
    having: {
      aggregate(op) {
        const { fn, arg: path } = op.aggregate!;
        const arg = path ? resolvePath(scope, path) : null;
        checkAggregateArg(scope, fn, arg, op.path.offset, op.path.length);
        const name = `__having${hidden.length}`;
        hidden.push({ fn, arg, name });
        const type = aggregateType(fn, arg);
        const field = fieldDefFromDescribe({ name, label: name, type, filterable: true, sortable: true });
        return { name, chain: [], chainKey: '', field, kind: valueKindOf(type) };
      },
      field(res, op) {
        if (res.chain.length) throw emulatorLimit('relationship fields in HAVING');
        if (op.fn) throw emulatorLimit('date functions in HAVING');
        if (!groupBy.some((g) => g.name === groupKeyName(res, null))) {
          throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, op.path.offset, op.path.length, `Field must be grouped or aggregated: ${res.field.name}`));
        }
      },
    },
  };
  return bindCondition(hscope, having);
}

function bindSelection(scope: Scope, q: Query, api: QueryApi): Selection {
  const object = scope.root;
  const aggregate = q.select.some((i) => i.kind === 'aggregate') || q.groupBy.length > 0 || q.having !== null;
  if (!aggregate) {
    const fields: Resolved[] = [];
    for (const item of q.select) {
      if (item.kind === 'fields') {
        for (const f of object.fields) {
          if (item.which === 'ALL' || (item.which === 'CUSTOM') === f.custom) {
            fields.push({ name: f.name, chain: [], chainKey: '', field: f, kind: valueKindOf(f.type) });
          }
        }
      } else if (item.kind === 'field') {
        if (item.alias) throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, item.alias.offset, item.alias.name.length, TEXT.unexpectedToken(item.alias.name)));
        if (item.fn) throw emulatorLimit('date functions outside aggregate queries');
        fields.push(resolvePath(scope, item.path));
      }
    }
    const seen = new Set<string>();
    for (const r of fields) {
      const key = r.name.toLowerCase();
      if (seen.has(key)) throw new SoqlError('INVALID_FIELD', TEXT.duplicateField(r.name));
      seen.add(key);
    }
    if (api === 'bulk') {
      for (const r of fields) if (r.field.type === 'address' || r.field.type === 'location') throw refuse(TEXT.compound);
      for (const r of fields) if (r.field.type === 'base64') throw refuse(TEXT.blob);
    }
    return { kind: 'records', fields };
  }
  const countAll = q.select.find((i) => i.kind === 'aggregate' && i.fn === 'COUNT' && i.arg === null);
  if (countAll) {
    if (q.select.length > 1 || q.groupBy.length) {
      const other = q.select.find((i) => i !== countAll) ?? countAll;
      const at = other.kind === 'field' ? other.path.offset : other.offset;
      throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, at, 1,
        q.groupBy.length ? 'COUNT() and GROUP BY cannot be used together: use COUNT(fieldName)' : TEXT.unexpectedToken(scope.soql.slice(at).split(/[\s,()]/)[0])));
    }
    return { kind: 'count' };
  }
  return { kind: 'aggregate', plan: bindAggregatePlan(scope, q) };
}

/** How SELECT, ORDER BY and HAVING name a grouped value: `Industry`, `Account.Name`, `CALENDAR_YEAR(CloseDate)`. */
function groupKeyName(res: Resolved, fn: string | null | undefined): string {
  return (fn ? `${fn.toUpperCase()}(${res.name})` : res.name).toLowerCase();
}

function bindAggregatePlan(scope: Scope, q: Query): AggregatePlan {
  const groupBy = q.groupBy.map((g): GroupKey => {
    const b = bindOperand(scope, { path: g.path, fn: g.fn });
    // Datetime fields are not groupable, but date functions of them are.
    if (!g.fn && b.res.field.raw.groupable === false) throw new SoqlError('INVALID_FIELD', `field '${b.res.name}' can not be grouped in a query call`);
    return { name: groupKeyName(b.res, g.fn), res: b.res, fn: g.fn, kind: b.kind, get: b.get, field: g.fn ? null : b.res.field };
  });
  const items: AggregatePlan['items'][number][] = [];
  let expr = 0;
  for (const item of q.select) {
    if (item.kind === 'fields') throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, item.offset, 6, TEXT.unexpectedToken('FIELDS')));
    if (item.kind === 'field') {
      const r = resolvePath(scope, item.path);
      const index = groupBy.findIndex((g) => g.name === groupKeyName(r, item.fn));
      if (index < 0) {
        throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, item.path.offset, item.path.length, `Field must be grouped or aggregated: ${r.field.name}`));
      }
      // A date function is named like an aggregate: exprN unless it has an alias.
      items.push({ kind: 'group', index, key: item.alias?.name ?? (item.fn ? `expr${expr++}` : r.field.name) });
      continue;
    }
    const arg = item.arg ? resolvePath(scope, item.arg) : null;
    checkAggregateArg(scope, item.fn, arg, item.offset, item.length);
    items.push({ kind: 'aggregate', fn: item.fn, arg, key: item.alias?.name ?? `expr${expr++}` });
  }
  const order = q.orderBy.map((o) => {
    const r = resolvePath(scope, o.path);
    const index = groupBy.findIndex((g) => g.name === groupKeyName(r, o.fn));
    if (index < 0) {
      throw new SoqlError('MALFORMED_QUERY', positionedMessage(scope.soql, o.path.offset, o.path.length, `Ordered field must be grouped or aggregated: ${r.field.name}`));
    }
    return { index, descending: o.descending, nullsLast: o.nullsLast };
  });
  const hidden: AggregatePlan['hidden'][number][] = [];
  const having = q.having ? bindHaving(scope, q.having, groupBy, hidden) : null;
  return { groupBy, items, order, hidden, having };
}

/** A bound query: what it selects, and how to find its rows (WHERE, ORDER BY, LIMIT, OFFSET, parent chains). */
export interface Plan {
  readonly object: SObjectType;
  readonly selection: Selection;
  /** Bulk CSV columns of a record query (empty otherwise). */
  readonly columns: readonly ResultColumn[];
  /** The parent chain (index into `chains`) of each relationship prefix such as `Account.Owner`. */
  readonly chainIndex: ReadonlyMap<string, number>;
  readonly limit: number | null;
  readonly offset: number;
  /** Matching rows; `window` applies ORDER BY, LIMIT and OFFSET (an aggregate query applies them to groups). */
  run(rt: Runtime, includeDeleted: boolean, window?: boolean): { rows: Row[]; chains: (Row | undefined)[][] };
}

export function bindQuery(store: OrgStore, soql: string, q: Query, api: QueryApi = 'bulk'): Plan {
  // Bulk reads toLabel(), FORMAT() and date functions in the SELECT list as a syntax error at the parenthesis.
  const u = q.unsupported;
  const at = Math.min(u.selectFunction?.offset ?? Infinity, u.dateFunctionAt ?? Infinity);
  if (at !== Infinity && api === 'bulk') throw new SoqlError('MALFORMED_QUERY', positionedMessage(soql, at, 1, TEXT.unexpectedToken('(')));
  const object = store.type(q.from.name);
  if (!object) {
    throw new SoqlError('INVALID_TYPE', positionedMessage(soql, q.from.offset, q.from.name.length, TEXT.unknownObject(q.from.name)));
  }
  if (!object.queryable) {
    throw new SoqlError('INVALID_TYPE_FOR_OPERATION', TEXT.notQueryable(object.name));
  }
  checkRefusals(soql, q, api);

  const scope: Scope = { soql, store, root: object, alias: q.from.alias, filterableOnly: true };
  const selection = bindSelection(scope, q, api);
  const selected = selection.kind === 'records' ? selection.fields : [];

  // Parent chains the columns read from: every distinct relationship prefix, shorter first.
  const chainKeys: string[] = [];
  const chainHops = new Map<string, { hop: Hop; parent: string }>();
  for (const r of selected) {
    let key = '';
    r.chain.forEach((hop) => {
      const parent = key;
      key = key ? `${key}.${hop.field.relationshipName}` : hop.field.relationshipName!;
      if (!chainHops.has(key)) {
        chainHops.set(key, { hop, parent });
        chainKeys.push(key);
      }
    });
  }
  chainKeys.sort((a, b) => a.split('.').length - b.split('.').length);
  const chainIndex = new Map(chainKeys.map((k, i) => [k, i]));
  const columns: ResultColumn[] = selected.map((r) => ({
    header: r.name,
    chain: r.chainKey ? chainIndex.get(r.chainKey)! : -1,
    field: r.field.name,
    kind: r.kind,
  }));

  const where = q.where ? bindCondition(scope, q.where) : null;
  const order: OrderPlan[] = selection.kind === 'aggregate' ? [] : q.orderBy.map((o) => {
    if (o.fn) throw emulatorLimit('date functions outside aggregate queries');
    const res = resolvePath(scope, o.path);
    if (!res.field.sortable) throw new SoqlError('INVALID_FIELD', TEXT.notSortable(res.name));
    return { get: getterOf(res), kind: res.kind, descending: o.descending, nullsLast: o.nullsLast };
  });
  const limit = q.limit;
  const skip = q.offset ?? 0;

  return {
    object,
    selection,
    columns,
    chainIndex,
    limit,
    offset: skip,
    run(rt, includeDeleted, window = true) {
      const pred = where ? where(rt) : null;
      const table = rt.table(object.name);
      let rows: Row[] = [];
      const cap = !window ? Infinity : order.length ? Infinity : limit === null ? Infinity : limit + skip;
      if (table && cap > 0) {
        for (const row of table.scan(includeDeleted)) {
          if (!includeDeleted && row.IsDeleted === true) continue;
          if (pred !== null && !pred(row)) continue;
          rows.push(row);
          if (rows.length >= cap) break;
        }
      }
      if (window) {
        if (order.length) rows = sortRows(rows, order, rt);
        if (skip > 0 || (limit !== null && rows.length > limit)) rows = rows.slice(skip, limit === null ? undefined : skip + limit);
      }
      const n = rows.length;
      const chains: (Row | undefined)[][] = [];
      for (const key of chainKeys) {
        const { hop, parent } = chainHops.get(key)!;
        const src: readonly (Row | undefined)[] = parent ? chains[chainIndex.get(parent)!] : rows;
        const out = new Array<Row | undefined>(n);
        const fk = hop.field.name;
        for (let i = 0; i < n; i++) {
          const s = src[i];
          const id = s === undefined ? null : s[fk];
          out[i] = typeof id === 'string' && id !== '' ? rt.parent(hop, id) : undefined;
        }
        chains.push(out);
      }
      return { rows, chains };
    },
  };
}

export interface CompileOptions {
  /** The emulator's clock, read when the query runs (date literals such as TODAY). Default Date.now. */
  readonly now?: () => number;
}

/** Parses, checks and plans a Bulk API 2.0 query; throws SoqlError with Salesforce's code and text. */
export function planQuery(store: OrgStore, soql: string, options: CompileOptions = {}): QueryPlan {
  const now = options.now ?? Date.now;
  if (typeof soql !== 'string' || soql.trim() === '') {
    throw new SoqlError('MALFORMED_QUERY', TEXT.unexpectedToken('<EOF>'));
  }
  const plan = bindQuery(store, soql, parseQuery(soql));
  return {
    object: plan.object,
    columns: plan.columns,
    run: (includeDeleted) => plan.run(new Runtime(store, todayUtc(now())), includeDeleted),
  };
}

/**
 * Compiles a WHERE-style condition over `type`'s own fields (validation rules' `errorWhen`).
 * SOQL semantics: comparisons with a null value are false except `= null` / `!= null`.
 */
export function compileCondition(type: SObjectType, expr: string): (row: Row) => boolean {
  const scope: Scope = { soql: expr, store: null, root: type, alias: null, filterableOnly: false };
  const factory = bindCondition(scope, parseCondition(expr));
  let day = -1;
  let pred: Predicate = () => false;
  return (row) => {
    const today = todayUtc(Date.now());
    if (today !== day) {
      day = today;
      pred = factory(new Runtime(null, today));
    }
    return pred(row);
  };
}
