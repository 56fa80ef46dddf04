/**
 * Evaluators for the PMML models exporters write most: RegressionModel (regression and classification with
 * PMML's normalisation methods), TreeModel (first true child wins; score or ScoreDistribution at the chosen
 * node), MiningModel with Segmentation (sum, average, weightedAverage, median, max, majorityVote,
 * weightedMajorityVote, selectFirst, modelChain — the form of gradient-boosted and random-forest exports) and
 * NeuralNetwork (layers of neurons with PMML's activation functions). Each model compiles once into a closure
 * from a row of field values to a Prediction; `Targets` rescaling applies to regression results.
 *
 * Invariant: classification results carry a probability for each category (summing to 1 where the model
 * defines one); an element that is not evaluated is refused at load, naming it.
 */
import { type El, attr, child, invalid, list, num, unsupported } from './pmml-document.js';
import { type Fields, compilePredicate } from './predicates.js';
import { compileDerivedFields, compileExpression, normContinuous } from './transformations.js';

export interface Prediction {
  /** The regression value, or for classification the winning category. */
  value: number | string;
  probabilities?: Map<string, number>;
}
export type Evaluator = (row: Fields) => Prediction | undefined;

const logistic = (y: number) => 1 / (1 + Math.exp(-y));

function withTargets(model: El, f: Evaluator): Evaluator {
  const t = list(child(model, 'Targets'), 'Target')[0] ?? (child(model, 'Targets') as El | undefined)?.Target;
  const target = (Array.isArray(t) ? t[0] : t) as El | undefined;
  if (!target) return f;
  const factor = num(target, 'rescaleFactor', 1);
  const constant = num(target, 'rescaleConstant', 0);
  if (factor === 1 && constant === 0) return f;
  return (row) => {
    const p = f(row);
    return p && typeof p.value === 'number' ? { ...p, value: p.value * factor + constant } : p;
  };
}

function regressionTable(t: El, where: string): (row: Fields) => number {
  const intercept = num(t, 'intercept', 0);
  const numeric = list(t, 'NumericPredictor').map(
    (p) => [attr(p, 'name')!, num(p, 'coefficient'), num(p, 'exponent', 1)] as const,
  );
  const categorical = list(t, 'CategoricalPredictor').map((p) => {
    const v = Number(attr(p, 'value'));
    if (!Number.isFinite(v))
      invalid(`CategoricalPredictor ${attr(p, 'name')}="${attr(p, 'value')}": encode categories as numbers`);
    return [attr(p, 'name')!, v, num(p, 'coefficient')] as const;
  });
  if (t.PredictorTerm !== undefined) unsupported('PredictorTerm', where);
  return (row) => {
    let y = intercept;
    for (const [name, c, e] of numeric) y += c * (e === 1 ? row[name]! : row[name]! ** e);
    for (const [name, v, c] of categorical) if (row[name] === v) y += c;
    return y;
  };
}

function classify(categories: string[], probs: number[]): Prediction {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  return { value: categories[best]!, probabilities: new Map(categories.map((c, i) => [c, probs[i]!])) };
}

function regressionModel(m: El, fn: string): Evaluator {
  const tables = list(m, 'RegressionTable');
  const norm = attr(m, 'normalizationMethod') ?? 'none';
  if (fn === 'regression') {
    const f = regressionTable(tables[0] ?? invalid('RegressionModel without a RegressionTable'), 'RegressionModel');
    const out: Record<string, (y: number) => number> = {
      none: (y) => y,
      logit: logistic,
      softmax: logistic,
      exp: Math.exp,
      cloglog: (y) => 1 - Math.exp(-Math.exp(y)),
      loglog: (y) => Math.exp(-Math.exp(-y)),
    };
    const g = out[norm] ?? unsupported(`normalizationMethod=${norm}`, 'RegressionModel (regression)');
    return (row) => ({ value: g(f(row)) });
  }
  const cats = tables.map((t) => attr(t, 'targetCategory')!);
  const fs = tables.map((t) => regressionTable(t, 'RegressionModel'));
  return (row) => {
    const y = fs.map((f) => f(row));
    let p: number[];
    if (norm === 'softmax') {
      const mx = Math.max(...y);
      const e = y.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, b) => a + b, 0);
      p = e.map((v) => v / s);
    } else if (norm === 'simplemax') {
      const s = y.reduce((a, b) => a + b, 0);
      p = y.map((v) => v / s);
    } else if (norm === 'logit' || norm === 'none') {
      // PMML: the first n-1 tables give probabilities, the last takes the rest.
      const head = y.slice(0, -1).map((v) => (norm === 'logit' ? logistic(v) : v));
      p = [...head, 1 - head.reduce((a, b) => a + b, 0)];
    } else {
      return unsupported(`normalizationMethod=${norm}`, 'RegressionModel (classification)');
    }
    return classify(cats, p);
  };
}

function treeModel(m: El, fn: string): Evaluator {
  const noTrueChild = attr(m, 'noTrueChildStrategy') ?? 'returnNullPrediction';
  interface TreeNode {
    test: ReturnType<typeof compilePredicate>;
    children: TreeNode[];
    prediction?: Prediction;
  }
  const build = (n: El): TreeNode => {
    const score = attr(n, 'score');
    const dist = list(n, 'ScoreDistribution');
    let prediction: Prediction | undefined;
    if (fn === 'classification' && dist.length) {
      const total = dist.reduce((s, d) => s + num(d, 'recordCount', 0), 0);
      const probs = dist.map((d) =>
        attr(d, 'probability') !== undefined ? num(d, 'probability') : num(d, 'recordCount', 0) / total,
      );
      const cats = dist.map((d) => attr(d, 'value')!);
      const p = classify(cats, probs);
      prediction = score !== undefined ? { ...p, value: score } : p;
    } else if (score !== undefined) {
      prediction = { value: fn === 'classification' ? score : Number(score) };
    }
    return { test: compilePredicate(n), children: list(n, 'Node').map(build), ...(prediction ? { prediction } : {}) };
  };
  const root = build(list(m, 'Node')[0] ?? invalid('TreeModel without a root Node'));
  return (row) => {
    if (root.test(row) !== true) return undefined;
    let node = root;
    for (;;) {
      const next = node.children.find((c) => c.test(row) === true);
      if (!next)
        return node.children.length === 0 || noTrueChild === 'returnLastPrediction' ? node.prediction : undefined;
      node = next;
    }
  };
}

function miningModel(m: El, fn: string): Evaluator {
  const seg = child(m, 'Segmentation') ?? invalid('MiningModel without Segmentation');
  const method = attr(seg, 'multipleModelMethod');
  const segments = list(seg, 'Segment').map((s) => {
    const kind = EVALUATED_MODELS.find((k) => s[k] !== undefined);
    if (!kind) unsupported(Object.keys(s).find((k) => /Model$|Network$/.test(k)) ?? 'model', 'Segment');
    const inner = child(s, kind)!;
    const outputs = list(child(inner, 'Output'), 'OutputField').map((o) => ({
      name: attr(o, 'name')!,
      feature: attr(o, 'feature') ?? 'predictedValue',
      value: attr(o, 'value'),
    }));
    return {
      test: compilePredicate(s),
      weight: num(s, 'weight', 1),
      evaluate: compileModel(inner, kind, attr(inner, 'functionName') ?? fn),
      outputs,
    };
  });
  const numeric = (p: Prediction) => p.value as number;
  return (row) => {
    const results: { p: Prediction; weight: number }[] = [];
    for (const s of segments) {
      if (s.test(row) !== true) continue;
      const p = s.evaluate(row);
      if (!p) continue;
      if (method === 'selectFirst') return p;
      for (const o of s.outputs) {
        if (o.feature === 'predictedValue') row[o.name] = typeof p.value === 'number' ? p.value : Number(p.value);
        else if (o.feature === 'probability') row[o.name] = p.probabilities?.get(o.value ?? '') ?? Number.NaN;
        else unsupported(`OutputField feature=${o.feature}`, 'Segment output');
      }
      results.push({ p, weight: s.weight });
    }
    if (!results.length) return undefined;
    switch (method) {
      case 'modelChain':
        return results[results.length - 1]!.p;
      case 'sum':
        return { value: results.reduce((s, r) => s + numeric(r.p), 0) };
      case 'average':
      case 'weightedAverage': {
        const w = (r: { weight: number }) => (method === 'average' ? 1 : r.weight);
        const total = results.reduce((s, r) => s + w(r), 0);
        if (fn !== 'classification') return { value: results.reduce((s, r) => s + w(r) * numeric(r.p), 0) / total };
        const probs = new Map<string, number>();
        for (const r of results)
          for (const [c, v] of r.p.probabilities ?? []) probs.set(c, (probs.get(c) ?? 0) + (w(r) * v) / total);
        return classify([...probs.keys()], [...probs.values()]);
      }
      case 'median': {
        const v = results.map((r) => numeric(r.p)).sort((a, b) => a - b);
        const mid = v.length >> 1;
        return { value: v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2 };
      }
      case 'max':
        return results.reduce((a, b) => (numeric(b.p) > numeric(a.p) ? b : a)).p;
      case 'majorityVote':
      case 'weightedMajorityVote': {
        const votes = new Map<string, number>();
        for (const r of results) {
          const c = String(r.p.value);
          votes.set(c, (votes.get(c) ?? 0) + (method === 'majorityVote' ? 1 : r.weight));
        }
        const total = [...votes.values()].reduce((a, b) => a + b, 0);
        return classify(
          [...votes.keys()],
          [...votes.values()].map((v) => v / total),
        );
      }
      default:
        return unsupported(`multipleModelMethod=${method}`, 'MiningModel');
    }
  };
}

const ACTIVATIONS: Record<string, (z: number, threshold: number) => number> = {
  logistic,
  tanh: Math.tanh,
  identity: (z) => z,
  rectifier: (z) => Math.max(0, z),
  exponential: Math.exp,
  reciprocal: (z) => 1 / z,
  square: (z) => z * z,
  Gauss: (z) => Math.exp(-(z * z)),
  sine: Math.sin,
  cosine: Math.cos,
  Elliott: (z) => z / (1 + Math.abs(z)),
  arctan: (z) => (2 * Math.atan(z)) / Math.PI,
  threshold: (z, t) => (z > t ? 1 : 0),
};

function neuralNetwork(m: El, fn: string): Evaluator {
  const netActivation = attr(m, 'activationFunction') ?? invalid('NeuralNetwork without activationFunction');
  const threshold = num(m, 'threshold', 0);
  const inputs = list(child(m, 'NeuralInputs'), 'NeuralInput').map(
    (n) =>
      [
        attr(n, 'id')!,
        compileExpression(child(n, 'DerivedField') ?? invalid('NeuralInput without DerivedField'), 'NeuralInput'),
      ] as const,
  );
  const layers = list(m, 'NeuralLayer').map((l) => {
    const name = attr(l, 'activationFunction') ?? netActivation;
    const act = ACTIVATIONS[name] ?? unsupported(`activationFunction=${name}`, 'NeuralNetwork');
    const softmax = attr(l, 'normalizationMethod') === 'softmax';
    const neurons = list(l, 'Neuron').map((n) => ({
      id: attr(n, 'id')!,
      bias: num(n, 'bias', 0),
      cons: list(n, 'Con').map((c) => [attr(c, 'from')!, num(c, 'weight')] as const),
    }));
    return { act, softmax, neurons, threshold: num(l, 'threshold', threshold) };
  });
  const outputs = list(child(m, 'NeuralOutputs'), 'NeuralOutput').map((o) => {
    const d = child(o, 'DerivedField') ?? invalid('NeuralOutput without DerivedField');
    const neuron = attr(o, 'outputNeuron')!;
    const disc = child(d, 'NormDiscrete');
    if (disc) return { neuron, category: attr(disc, 'value')! };
    const norm = child(d, 'NormContinuous');
    if (norm) {
      const { inverse } = normContinuous(norm);
      return { neuron, map: inverse };
    }
    if (child(d, 'FieldRef')) return { neuron, map: (y: number) => y };
    return unsupported(Object.keys(d).find((k) => /^[A-Z]/.test(k)) ?? 'expression', 'NeuralOutput');
  });
  return (row) => {
    const act = new Map<string, number>();
    for (const [id, f] of inputs) act.set(id, f(row));
    for (const l of layers) {
      const z = l.neurons.map((n) => n.cons.reduce((s, [from, w]) => s + w * (act.get(from) ?? Number.NaN), n.bias));
      let a: number[];
      if (l.softmax) {
        const mx = Math.max(...z);
        const e = z.map((v) => Math.exp(v - mx));
        const s = e.reduce((x, y) => x + y, 0);
        a = e.map((v) => v / s);
      } else {
        a = z.map((v) => l.act(v, l.threshold));
      }
      l.neurons.forEach((n, i) => act.set(n.id, a[i]!));
    }
    if (fn === 'classification') {
      const cats = outputs.map((o) => (o as { category: string }).category);
      return classify(
        cats,
        outputs.map((o) => act.get(o.neuron) ?? Number.NaN),
      );
    }
    const o = outputs[0] as { neuron: string; map: (y: number) => number };
    return { value: o.map(act.get(o.neuron) ?? Number.NaN) };
  };
}

export const EVALUATED_MODELS = ['RegressionModel', 'TreeModel', 'MiningModel', 'NeuralNetwork'] as const;

/** Compiles a model element of the given kind (`RegressionModel`, …) with its local transformations. */
export function compileModel(model: El, kind: string, fn: string): Evaluator {
  const local = compileDerivedFields(
    list(child(model, 'LocalTransformations'), 'DerivedField'),
    `${kind} LocalTransformations`,
  );
  const f =
    kind === 'RegressionModel'
      ? regressionModel(model, fn)
      : kind === 'TreeModel'
        ? treeModel(model, fn)
        : kind === 'MiningModel'
          ? miningModel(model, fn)
          : kind === 'NeuralNetwork'
            ? neuralNetwork(model, fn)
            : unsupported(kind, 'PMML');
  const g = fn === 'regression' ? withTargets(model, f) : f;
  return (row) => {
    local(row);
    return g(row);
  };
}
