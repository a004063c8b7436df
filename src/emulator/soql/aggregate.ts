// Evaluates an aggregate query (REST only: Bulk API 2.0 refuses them): rows grouped by the GROUP BY fields,
// COUNT / COUNT_DISTINCT / SUM / AVG / MIN / MAX per group, HAVING, ORDER BY over grouped fields, then LIMIT and
// OFFSET over the groups. Without GROUP BY there is exactly one group, also when no row matched.
import type { FieldValue, Row } from '../org/types.js';
import { eqKey, getterOf, orderKey, type AggregatePlan, type Getter, type Runtime } from './compile.js';

interface Accumulator {
  add(v: FieldValue): void;
  result(): FieldValue;
}

function accumulator(fn: string, kind: string): Accumulator {
  switch (fn) {
    case 'COUNT': {
      let n = 0;
      return { add: (v) => void (v !== null && n++), result: () => n };
    }
    case 'COUNT_DISTINCT': {
      const seen = new Set<FieldValue>();
      return { add: (v) => void (v !== null && seen.add(eqKey(v, kind as never))), result: () => seen.size };
    }
    case 'SUM':
    case 'AVG': {
      let sum = 0;
      let n = 0;
      return {
        add: (v) => {
          if (typeof v === 'number') {
            sum += v;
            n++;
          }
        },
        result: () => (n === 0 ? null : fn === 'SUM' ? sum : sum / n),
      };
    }
    default: {
      // MIN / MAX compare as ORDER BY does (text case-insensitively) and answer the stored value.
      let best: FieldValue = null;
      let bestKey: FieldValue = null;
      const wantMax = fn === 'MAX';
      return {
        add: (v) => {
          if (v === null) return;
          const k = orderKey(v, kind as never) as number | string;
          if (bestKey === null || (wantMax ? k > (bestKey as number | string) : k < (bestKey as number | string))) {
            best = v;
            bestKey = k;
          }
        },
        result: () => best,
      };
    }
  }
}

/** One value per SELECT item (grouped value or aggregate) for every group, in the query's order and window. */
export function evaluateAggregate(
  plan: AggregatePlan,
  rows: readonly Row[],
  rt: Runtime,
  limit: number | null,
  offset: number,
): FieldValue[][] {
  const groupGetters: Getter[] = plan.groupBy.map((g) => g.get(rt));
  // The SELECT list's aggregates, then the ones only HAVING reads.
  const aggregates = [
    ...plan.items.map((i) => (i.kind === 'aggregate' ? i : null)),
    ...plan.hidden,
  ];
  const argGetters = aggregates.map((a) => (a && a.arg ? getterOf(a.arg)(rt) : null));
  interface Group {
    readonly values: FieldValue[];
    readonly accs: (Accumulator | null)[];
  }
  const groups = new Map<string, Group>();
  const newGroup = (values: FieldValue[]): Group => ({
    values,
    accs: aggregates.map((a) => (a ? accumulator(a.fn, a.arg?.kind ?? 'id') : null)),
  });
  if (plan.groupBy.length === 0) groups.set('', newGroup([]));
  for (const row of rows) {
    const values = groupGetters.map((g) => g(row));
    const key = JSON.stringify(values.map((v, k) => eqKey(v, plan.groupBy[k].kind)));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = newGroup(values)));
    aggregates.forEach((a, k) => {
      // COUNT() and COUNT(Id) count rows; other aggregates skip nulls.
      if (a) g!.accs[k]!.add(argGetters[k] ? argGetters[k]!(row) : true);
    });
  }
  let list = [...groups.values()];
  if (plan.having) {
    const pred = plan.having(rt);
    const first = plan.items.length;
    list = list.filter((g) => {
      const row: Record<string, FieldValue> = {};
      plan.groupBy.forEach((f, k) => {
        if (f.fn === null) row[f.res.field.name] = g.values[k];
      });
      plan.hidden.forEach((h, k) => (row[h.name] = g.accs[first + k]!.result()));
      return pred(row);
    });
  }
  if (plan.order.length) {
    const keyed = list.map((g) => ({ g, keys: plan.order.map((o) => orderKey(g.values[o.index], plan.groupBy[o.index].kind)) }));
    keyed.sort((a, b) => {
      for (let k = 0; k < plan.order.length; k++) {
        const o = plan.order[k];
        const ka = a.keys[k];
        const kb = b.keys[k];
        if (ka === kb) continue;
        if (ka === null) return o.nullsLast ? 1 : -1;
        if (kb === null) return o.nullsLast ? -1 : 1;
        const c = (ka as number | string) < (kb as number | string) ? -1 : 1;
        return o.descending ? -c : c;
      }
      return 0;
    });
    list = keyed.map((k) => k.g);
  }
  list = list.slice(offset, limit === null ? undefined : offset + limit);
  return list.map((g) => plan.items.map((item, k) => (item.kind === 'group' ? g.values[item.index] : g.accs[k]!.result())));
}
