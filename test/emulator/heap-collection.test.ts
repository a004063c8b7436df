// The emulator collects garbage itself between waves of an ingest job once the heap has grown by a quarter since
// the last full collection (and by at least the minimum), so V8's mark of a grown org lands in processing rather
// than in the client's first result download; a heap that has not grown enough is never collected.
import t from 'tap';
import { HeapCollection } from '../../src/emulator/jobs/heap-collection.js';

const MB = 1024 * 1024;

function watched(start: number) {
  const heap = { used: start, collections: 0 };
  const h = new HeapCollection({
    minGrowthBytes: 100 * MB,
    heapUsed: () => heap.used,
    collect: () => {
      heap.collections++;
      heap.used -= 50 * MB;
    },
  });
  return { heap, h };
}

t.test('no collection until the heap grew by a quarter and by the minimum', async (t) => {
  const { heap, h } = watched(1000 * MB);
  t.teardown(() => h.close());
  heap.used = 1200 * MB;
  t.equal(h.maybeCollect(), false, '+20%: not due');
  heap.used = 1250 * MB;
  t.equal(h.maybeCollect(), true, '+25%: due');
  t.equal(heap.collections, 1);
  heap.used = 1300 * MB;
  t.equal(h.maybeCollect(), false, 'growth counts again from the heap after the collection (1,200 MB)');
  heap.used = 1500 * MB;
  t.equal(h.maybeCollect(), true);
  t.equal(heap.collections, 2);
});

t.test('a small heap is not collected for growing by a quarter', async (t) => {
  const { heap, h } = watched(100 * MB);
  t.teardown(() => h.close());
  heap.used = 190 * MB;
  t.equal(h.maybeCollect(), false, '+90% but +90 MB, under the minimum');
  t.equal(heap.collections, 0);
});

t.test('the real collector: a forced major collection runs', async (t) => {
  const h = new HeapCollection({ minGrowthBytes: 0, growth: 0, heapUsed: () => 1 });
  t.teardown(() => h.close());
  t.equal(h.maybeCollect(), true);
});
