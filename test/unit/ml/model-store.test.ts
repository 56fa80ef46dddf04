import t from 'tap';
import { ModelStore } from '../../../operators/ml/model-store.js';

t.test('event-time: greatest validFrom ≤ t, boundaries inclusive, out-of-order installs', async (t) => {
  const evicted: string[] = [];
  const s = new ModelStore<string>({ policy: 'event-time', maxHistoryPerKey: 3, onEvict: (m) => evicted.push(m) });
  t.equal(s.select('k', 0), undefined);
  s.install('k', 'v200', 200, 1);
  s.install('k', 'v100', 100, 2);
  s.install('k', 'v300', 300, 3);
  t.equal(s.select('k', 99), undefined, 'before the first validFrom no model');
  t.equal(s.select('k', 100), 'v100', 'at the boundary the new model');
  t.equal(s.select('k', 199), 'v100');
  t.equal(s.select('k', 200), 'v200');
  t.equal(s.select('k', 299.5), 'v200');
  t.equal(s.select('k', 1e12), 'v300');
  t.equal(s.latest('k'), 'v300');
  t.equal(s.select('other', 500), undefined, 'per key');
  s.install('k', 'v200b', 200, 4);
  t.equal(s.select('k', 250), 'v200b', 'same validFrom replaces');
  t.same(evicted, ['v200']);
  s.install('k', 'v400', 400, 5);
  t.same(
    s.history('k').map((e) => e.model),
    ['v200b', 'v300', 'v400'],
    'bounded history drops the oldest',
  );
  t.same(evicted, ['v200', 'v100']);
  s.prune(350);
  t.same(
    s.history('k').map((e) => e.model),
    ['v300', 'v400'],
    'prune keeps the model serving the watermark',
  );
  t.equal(s.select('k', 350), 'v300');
  s.clear();
  t.same(evicted, ['v200', 'v100', 'v200b', 'v300', 'v400']);
});

t.test('processing-time: the latest install serves regardless of timestamps', async (t) => {
  const evicted: string[] = [];
  const s = new ModelStore<string>({ policy: 'processing-time', onEvict: (m) => evicted.push(m) });
  s.install('k', 'a', 500, 1);
  t.equal(s.select('k', 0), 'a');
  s.install('k', 'b', 100, 2);
  t.equal(s.select('k', 1000), 'b');
  t.same(evicted, ['a']);
  s.prune(1e9);
  t.equal(s.select('k', 0), 'b');
  t.same(s.keys(), ['k']);
});
