import t from 'tap';
import {
  createPartitioner,
  rescaleSubset,
  assignKeyToParallelOperator,
  type PartitionerOptions,
} from '../../../runtime/keygroups/index.js';

const base = (o: Partial<PartitionerOptions>): PartitionerOptions => ({
  numChannels: 4,
  producerIndex: 0,
  producerParallelism: 4,
  consumerParallelism: 4,
  maxParallelism: 128,
  ...o,
});

t.test('forward', async (t) => {
  t.equal(createPartitioner('forward', base({ producerIndex: 2 })).selectChannel('x'), 2);
  t.equal(
    createPartitioner(
      'forward',
      base({ numChannels: 1, consumerParallelism: 1, producerParallelism: 1 }),
    ).selectChannel('x'),
    0,
  );
});

t.test('rebalance: round robin, even distribution, per-producer start', async (t) => {
  const starts = new Set<number>();
  for (let producer = 0; producer < 8; producer++) {
    const p = createPartitioner(
      'rebalance',
      base({ producerIndex: producer, producerParallelism: 8, numChannels: 5, consumerParallelism: 5 }),
    );
    const seq = Array.from({ length: 10 }, () => p.selectChannel(null));
    starts.add(seq[0]!);
    for (let i = 1; i < seq.length; i++) t.equal(seq[i], (seq[i - 1]! + 1) % 5, 'consecutive');
    const again = createPartitioner(
      'rebalance',
      base({ producerIndex: producer, producerParallelism: 8, numChannels: 5, consumerParallelism: 5 }),
    );
    t.equal(again.selectChannel(null), seq[0], 'deterministic start');
  }
  t.ok(starts.size > 1, 'producers start at different channels');
});

t.test('rescale: pointwise subsets', async (t) => {
  // 2 producers → 6 consumers: {0,1,2} and {3,4,5}
  t.same(rescaleSubset(0, 2, 6), { start: 0, end: 3 });
  t.same(rescaleSubset(1, 2, 6), { start: 3, end: 6 });
  // 6 producers → 2 consumers
  t.same(
    [0, 1, 2, 3, 4, 5].map((i) => rescaleSubset(i, 6, 2).start),
    [0, 0, 0, 1, 1, 1],
  );
  // 3 producers → 2 consumers: consumer 0 reads [0,1), consumer 1 reads [1,3)
  t.same(
    [0, 1, 2].map((i) => rescaleSubset(i, 3, 2).start),
    [0, 1, 1],
  );
  // every consumer has at least one producer, each producer exactly one subset, for many shapes
  for (let P = 1; P <= 9; P++) {
    for (let C = 1; C <= 9; C++) {
      const hit = new Array<number>(C).fill(0);
      for (let i = 0; i < P; i++) {
        const s = rescaleSubset(i, P, C);
        t.ok(s.end > s.start);
        for (let j = s.start; j < s.end; j++) hit[j]!++;
      }
      t.ok(
        hit.every((h) => h >= 1),
        `${P}→${C} covers every consumer`,
      );
    }
  }
  const p = createPartitioner(
    'rescale',
    base({ producerIndex: 1, producerParallelism: 2, numChannels: 6, consumerParallelism: 6 }),
  );
  t.same(
    Array.from({ length: 7 }, () => p.selectChannel(1)),
    [3, 4, 5, 3, 4, 5, 3],
  );
});

t.test('shuffle stays in range and spreads', async (t) => {
  const p = createPartitioner('shuffle', base({ numChannels: 4 }));
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[p.selectChannel(i)]!++;
  for (const c of counts) t.ok(c > 800 && c < 1200, `roughly uniform: ${c}`);
});

t.test('broadcast', async (t) => {
  t.equal(createPartitioner('broadcast', base({})).selectChannel('x'), -1);
});

t.test('hash follows key groups', async (t) => {
  const p = createPartitioner(
    'hash',
    base({ numChannels: 3, consumerParallelism: 3, keySelector: (v: { k: string }) => v.k }),
  );
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) {
    const k = `user-${i}`;
    const c = p.selectChannel({ k });
    t.equal(c, assignKeyToParallelOperator(k, 128, 3));
    counts[c]!++;
  }
  for (const c of counts) t.ok(c > 700, `balanced: ${c}`);
  t.equal(p.selectChannel({ k: 'hello' }), 0, 'vector: hello → op 0 at 128/3');
  t.equal(p.selectChannel({ k: 'flink' }), 2, 'vector: flink → op 2 at 128/3');
  t.throws(() => createPartitioner('hash', base({})), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => createPartitioner('nope' as never, base({})), { code: 'API_INVALID_ARGUMENT' });
});
