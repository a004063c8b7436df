// Recursive-descent parser for the SOQL the emulator serves: Bulk API 2.0 query jobs and the REST query resource.
// Syntax errors are MALFORMED_QUERY with Salesforce's positioned text. Constructs only REST accepts (aggregates,
// GROUP BY, HAVING, OFFSET, date functions in SELECT) are parsed into the query and flagged, and what neither API
// is evaluated for here (TYPEOF, parent-to-child subqueries, toLabel()) is flagged: the binder decides per API.
import type { AggregateFunction, Alias, CompareOp, Condition, Literal, Operand, OrderItem, Path, Query, SelectItem, SubQuery, Unsupported } from './ast.js';
import { malformed, TEXT } from './errors.js';
import { isDateLiteralName, dateLiteralTakesN } from './date-literals.js';
import { tokenize, type Token } from './lexer.js';

const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX', 'GROUPING']);
export const DATE_FUNCTIONS = new Set([
  'CALENDAR_YEAR', 'CALENDAR_MONTH', 'CALENDAR_QUARTER', 'DAY_IN_MONTH', 'DAY_IN_WEEK', 'DAY_IN_YEAR',
  'HOUR_IN_DAY', 'WEEK_IN_YEAR', 'WEEK_IN_MONTH', 'DAY_ONLY',
]);
/** Words that end a clause (so they are never taken as an alias). */
const CLAUSE_WORDS = new Set(['WHERE', 'WITH', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'FOR', 'USING', 'UPDATE']);

/** Parses UTC epoch milliseconds from a SOQL datetime literal. */
export function parseDateTimeLiteral(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))$/.exec(text);
  if (!m) return NaN;
  const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
  if (m[8] !== 'Z') {
    const sign = m[9] === '+' ? 1 : -1;
    t -= sign * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  }
  return t;
}

function validDate(text: string): boolean {
  const [y, mo, d] = text.split('-').map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

class Parser {
  private pos = 0;
  private flags: { -readonly [K in keyof Unsupported]: Unsupported[K] } = { subquery: false, aggregate: false, groupBy: false, having: false, offsetClause: false, typeOf: false, orderByAggregate: false, grouping: false, selectFunction: null, dateFunctionAt: null };

  constructor(
    private readonly soql: string,
    private readonly toks: readonly Token[] = tokenize(soql),
  ) {}

  /** Parses a nested SELECT (subquery) starting at the current token, with flags of its own. */
  private nested(): Query {
    const inner = new Parser(this.soql, this.toks);
    inner.pos = this.pos;
    const q = inner.parseQuery(true);
    this.pos = inner.pos;
    return q;
  }

  wholeCondition(): Condition {
    const c = this.condition();
    if (this.peek().kind !== 'eof') this.unexpected();
    return c;
  }

  private peek(k = 0): Token {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.text === p;
  }

  unexpected(t: Token = this.peek()): never {
    throw malformed(this.soql, t.offset, t.text.length, TEXT.unexpectedToken(t.text));
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) this.unexpected();
    return this.next();
  }

  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) this.unexpected();
    return this.next();
  }

  private ident(): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.unexpected();
    return this.next();
  }

  parseQuery(nested: boolean): Query {
    this.expectWord('SELECT');
    const select = this.selectList();
    this.expectWord('FROM');
    const objTok = this.ident();
    let alias: string | null = null;
    if (this.peek().kind === 'ident' && !CLAUSE_WORDS.has(this.peek().text.toUpperCase())) {
      if (this.isWord('AS')) this.next();
      alias = this.ident().text;
    }
    if (this.isWord('USING')) {
      this.next();
      this.expectWord('SCOPE');
      this.ident();
    }
    let where: Condition | null = null;
    if (this.isWord('WHERE')) {
      this.next();
      where = this.condition();
    }
    if (this.isWord('WITH')) {
      // WITH SECURITY_ENFORCED / USER_MODE / SYSTEM_MODE are accepted and have no effect here.
      this.next();
      this.ident();
    }
    const groupBy: { path: Path; fn: string | null }[] = [];
    let groupByFunction: string | null = null;
    if (this.isWord('GROUP')) {
      this.next();
      this.expectWord('BY');
      this.flags.groupBy = true;
      if (this.isWord('ROLLUP') || this.isWord('CUBE')) {
        groupByFunction = this.next().text.toUpperCase();
        this.expectPunct('(');
        groupBy.push(...this.pathList());
        this.expectPunct(')');
      } else groupBy.push(...this.pathList());
    }
    let having: Condition | null = null;
    if (this.isWord('HAVING')) {
      this.next();
      this.flags.having = true;
      having = this.condition();
    }
    const orderBy: OrderItem[] = [];
    if (this.isWord('ORDER')) {
      this.next();
      this.expectWord('BY');
      do {
        if (orderBy.length) this.next();
        const call = this.peek();
        if (call.kind === 'ident' && this.isPunct('(', 1) && AGGREGATES.has(call.text.toUpperCase())) {
          this.flags.aggregate = true;
          this.flags.orderByAggregate = true;
        }
        const dated = call.kind === 'ident' && this.isPunct('(', 1) && DATE_FUNCTIONS.has(call.text.toUpperCase());
        const fn = dated ? this.dateFunctionName() : undefined;
        const path = this.flags.orderByAggregate && this.isPunct('(', 1) ? this.aggregateCall() : this.path();
        if (dated) this.expectPunct(')');
        let descending = false;
        if (this.isWord('ASC')) this.next();
        else if (this.isWord('DESC')) {
          this.next();
          descending = true;
        }
        let nullsLast = false;
        if (this.isWord('NULLS')) {
          this.next();
          if (this.isWord('FIRST')) this.next();
          else if (this.isWord('LAST')) {
            this.next();
            nullsLast = true;
          } else this.unexpected();
        }
        orderBy.push(fn ? { path, fn, descending, nullsLast } : { path, descending, nullsLast });
      } while (this.isPunct(','));
    }
    let limit: number | null = null;
    if (this.isWord('LIMIT')) {
      this.next();
      limit = this.nonNegativeInt();
    }
    let offset: number | null = null;
    if (this.isWord('OFFSET')) {
      this.next();
      this.flags.offsetClause = true;
      offset = this.nonNegativeInt();
    }
    if (this.isWord('FOR')) {
      this.next();
      if (!this.isWord('VIEW') && !this.isWord('REFERENCE') && !this.isWord('UPDATE')) this.unexpected();
      this.next();
    }
    if (!nested && this.peek().kind !== 'eof') this.unexpected();
    return {
      select,
      from: { name: objTok.text, offset: objTok.offset, alias },
      where,
      having,
      orderBy,
      limit,
      groupBy,
      groupByFunction,
      offset,
      unsupported: { ...this.flags },
    };
  }

  private nonNegativeInt(): number {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === ':') throw malformed(this.soql, t.offset, 1, TEXT.bindVariable);
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) this.unexpected();
    this.next();
    const n = Number(t.text);
    if (n > 2147483647) throw malformed(this.soql, t.offset, t.text.length, `numeric value out of range: ${t.text}`);
    return n;
  }

  /** An aggregate call where a field is expected (ORDER BY COUNT(Id)): skipped, standing for its call's offset. */
  private aggregateCall(): Path {
    const t = this.next();
    this.skipParens();
    return { segments: ['Id'], offset: t.offset, length: t.text.length };
  }

  /**
   * Reads `FN(` of a date function call; the caller reads the field and `)`. In the SELECT list and ORDER BY its
   * place is recorded: Bulk API 2.0 answers a syntax error there (in GROUP BY it refuses the aggregate query).
   */
  private dateFunctionName(record = true): string {
    const t = this.next();
    const open = this.expectPunct('(');
    if (record && this.flags.dateFunctionAt === null) this.flags.dateFunctionAt = open.offset;
    return t.text.toUpperCase();
  }

  /**
   * A comma-separated list of GROUP BY fields or date functions of fields; another function call there is recorded
   * (and refused later), not grouped on.
   */
  private pathList(): { path: Path; fn: string | null }[] {
    const items: { path: Path; fn: string | null }[] = [];
    for (let first = true; first || this.isPunct(','); first = false) {
      if (!first) this.next();
      const t = this.peek();
      if (t.kind === 'ident' && this.isPunct('(', 1) && DATE_FUNCTIONS.has(t.text.toUpperCase())) {
        const fn = this.dateFunctionName(false);
        items.push({ path: this.path(), fn });
        this.expectPunct(')');
      } else if (t.kind === 'ident' && this.isPunct('(', 1)) {
        if (!this.flags.selectFunction) this.flags.selectFunction = { name: t.text, offset: this.peek(1).offset };
        this.next();
        this.skipParens();
      } else items.push({ path: this.path(), fn: null });
    }
    return items;
  }

  /** An alias after a selected field or aggregate: a name that is not the next clause's keyword. */
  private alias(): Alias | undefined {
    const t = this.peek();
    // A name followed by neither `,` nor FROM is a misspelt keyword (`SELECT Id FRM Account`), not an alias.
    if (t.kind !== 'ident' || this.isWord('FROM') || !(this.isPunct(',', 1) || this.isWord('FROM', 1))) return undefined;
    this.next();
    return { name: t.text, offset: t.offset };
  }

  private skipParens(): void {
    this.expectPunct('(');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') this.unexpected(t);
      if (t.kind === 'punct' && t.text === '(') depth++;
      if (t.kind === 'punct' && t.text === ')') depth--;
    }
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && t.text === '(') {
        // Parent-to-child subquery: (SELECT ... FROM Contacts ...)
        this.next();
        this.nested();
        this.flags.subquery = true;
        this.expectPunct(')');
      } else if (t.kind === 'ident' && t.text.toUpperCase() === 'TYPEOF') {
        this.next();
        this.flags.typeOf = true;
        while (!this.isWord('END')) {
          if (this.peek().kind === 'eof') this.unexpected();
          this.next();
        }
        this.next();
      } else if (t.kind === 'ident' && this.isPunct('(', 1)) {
        const fn = t.text.toUpperCase();
        if (fn === 'FIELDS') {
          this.next();
          this.next();
          const w = this.ident();
          const which = w.text.toUpperCase();
          if (which !== 'ALL' && which !== 'STANDARD' && which !== 'CUSTOM') this.unexpected(w);
          this.expectPunct(')');
          items.push({ kind: 'fields', which, offset: t.offset });
        } else if (AGGREGATES.has(fn) && fn !== 'GROUPING') {
          this.next();
          this.next();
          this.flags.aggregate = true;
          const arg = fn === 'COUNT' && this.isPunct(')') ? null : this.path();
          const close = this.expectPunct(')');
          const alias = this.alias();
          items.push({
            kind: 'aggregate', fn: fn as AggregateFunction, arg, offset: t.offset, length: close.offset + 1 - t.offset,
            ...(alias ? { alias } : {}),
          });
        } else if (fn === 'GROUPING') {
          this.next();
          this.skipParens();
          this.flags.aggregate = true;
          this.flags.grouping = true;
          this.alias();
        } else if (DATE_FUNCTIONS.has(fn)) {
          const name = this.dateFunctionName();
          const path = this.path();
          this.expectPunct(')');
          const alias = this.alias();
          items.push({ kind: 'field', path, fn: name, ...(alias ? { alias } : {}) });
        } else {
          // toLabel(), convertCurrency(), FORMAT(): not in this emulator's subset. Bulk answers
          // the syntax error it always has; REST says the emulator does not evaluate them.
          if (!this.flags.selectFunction) this.flags.selectFunction = { name: t.text, offset: this.peek(1).offset };
          this.next();
          this.skipParens();
          this.alias();
        }
      } else {
        if (this.isWord('FROM')) this.unexpected();
        const path = this.path();
        const alias = this.alias();
        items.push(alias ? { kind: 'field', path, alias } : { kind: 'field', path });
      }
      if (!this.isPunct(',')) break;
      this.next();
    }
    return items;
  }

  private path(): Path {
    const first = this.ident();
    const segments = [first.text];
    let end = first.offset + first.text.length;
    while (this.isPunct('.') && this.peek(1).kind === 'ident') {
      this.next();
      const s = this.next();
      segments.push(s.text);
      end = s.offset + s.text.length;
    }
    return { segments, offset: first.offset, length: end - first.offset };
  }

  // condition := [NOT] term ((AND term)* | (OR term)*); mixing AND and OR needs parentheses.
  condition(): Condition {
    let first: Condition;
    if (this.isWord('NOT')) {
      this.next();
      first = { kind: 'not', item: this.term() };
    } else first = this.term();
    if (!this.isWord('AND') && !this.isWord('OR')) return first;
    const op = this.peek().text.toUpperCase();
    const items = [first];
    while (this.isWord(op)) {
      this.next();
      items.push(this.term());
    }
    if (this.isWord('AND') || this.isWord('OR')) this.unexpected();
    return op === 'AND' ? { kind: 'and', items } : { kind: 'or', items };
  }

  private term(): Condition {
    if (this.isWord('NOT') && !this.isPunct('.', 1)) this.unexpected();
    if (this.isPunct('(')) {
      this.next();
      const c = this.condition();
      this.expectPunct(')');
      return c;
    }
    return this.comparison();
  }

  private operand(): Operand {
    const t = this.peek();
    if (t.kind === 'ident' && this.isPunct('(', 1)) {
      const fn = t.text.toUpperCase();
      if (!DATE_FUNCTIONS.has(fn)) {
        if (AGGREGATES.has(fn) && fn !== 'GROUPING') {
          this.flags.aggregate = true;
          this.next();
          this.next();
          const arg = fn === 'COUNT' && this.isPunct(')') ? null : this.path();
          const close = this.expectPunct(')');
          const path = { segments: ['Id'], offset: t.offset, length: close.offset + 1 - t.offset };
          return { path, fn: null, aggregate: { fn: fn as AggregateFunction, arg } };
        }
        this.unexpected(this.peek(1));
      }
      this.next();
      this.next();
      const path = this.path();
      this.expectPunct(')');
      return { path, fn };
    }
    return { path: this.path(), fn: null };
  }

  private comparison(): Condition {
    const left = this.operand();
    const t = this.peek();
    if (t.kind === 'op') {
      this.next();
      const op: CompareOp = t.text === '<>' ? '!=' : (t.text as CompareOp);
      return { kind: 'compare', left, op, right: this.literal() };
    }
    if (t.kind !== 'ident') this.unexpected();
    const word = t.text.toUpperCase();
    if (word === 'LIKE') {
      this.next();
      return { kind: 'like', left, pattern: this.literal() };
    }
    if (word === 'IN' || (word === 'NOT' && this.isWord('IN', 1))) {
      const negated = word === 'NOT';
      this.next();
      if (negated) this.next();
      this.expectPunct('(');
      if (this.isWord('SELECT')) {
        const offset = this.peek().offset;
        const query = this.nested();
        this.expectPunct(')');
        const sub: SubQuery = { query, offset };
        return { kind: 'in', left, negated, values: sub };
      }
      const values = this.literalList();
      return { kind: 'in', left, negated, values };
    }
    if (word === 'INCLUDES' || word === 'EXCLUDES') {
      this.next();
      this.expectPunct('(');
      return { kind: 'includes', left, negated: word === 'EXCLUDES', values: this.literalList() };
    }
    return this.unexpected();
  }

  private literalList(): Literal[] {
    const values: Literal[] = [this.literal()];
    while (this.isPunct(',')) {
      this.next();
      values.push(this.literal());
    }
    this.expectPunct(')');
    return values;
  }

  private literal(): Literal {
    const t = this.peek();
    const offset = t.offset;
    const length = t.text.length;
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'string', value: t.value, raw: t.raw, offset, length };
      case 'number':
        this.next();
        return { kind: 'number', value: Number(t.text), text: t.text, offset, length };
      case 'date':
        if (!validDate(t.text)) this.unexpected();
        this.next();
        return { kind: 'date', value: t.text, offset, length };
      case 'datetime': {
        const v = parseDateTimeLiteral(t.text);
        if (Number.isNaN(v) || !validDate(t.text.slice(0, 10))) this.unexpected();
        this.next();
        return { kind: 'datetime', value: v, text: t.text, offset, length };
      }
      case 'punct':
        if (t.text === ':') throw malformed(this.soql, t.offset, 1, TEXT.bindVariable);
        return this.unexpected();
      case 'ident': {
        const w = t.text.toUpperCase();
        if (w === 'NULL') {
          this.next();
          return { kind: 'null', offset, length };
        }
        if (w === 'TRUE' || w === 'FALSE') {
          this.next();
          return { kind: 'boolean', value: w === 'TRUE', offset, length };
        }
        if (isDateLiteralName(w)) {
          this.next();
          if (!dateLiteralTakesN(w)) return { kind: 'dateLiteral', name: w, n: 0, offset, length };
          this.expectPunct(':');
          const nt = this.peek();
          if (nt.kind !== 'number' || !/^\d+$/.test(nt.text)) this.unexpected();
          this.next();
          return { kind: 'dateLiteral', name: w, n: Number(nt.text), offset, length: nt.offset + nt.text.length - offset };
        }
        return this.unexpected();
      }
      default:
        return this.unexpected();
    }
  }
}

/** Parses a full SOQL statement. */
export function parseQuery(soql: string): Query {
  return new Parser(soql).parseQuery(false);
}

/** Parses a bare condition (a WHERE clause body), e.g. a validation rule's `errorWhen`. */
export function parseCondition(expr: string): Condition {
  return new Parser(expr).wholeCondition();
}
