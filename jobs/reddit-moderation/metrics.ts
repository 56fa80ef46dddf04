/**
 * Binary-classification metrics for the moderation model. Responsibility: ROC AUC, accuracy, precision,
 * recall, F1 and log loss of scores against 0/1 labels.
 *
 * Invariants: ROC AUC is the Mann–Whitney statistic with tied scores given their average rank (equals the
 * area under the trapezoidal ROC curve, as sklearn's roc_auc_score); it is NaN when one class is absent.
 * Precision is 0 when nothing is predicted positive (sklearn's zero_division=0), recall 0 with no positives.
 * Pure functions; inputs are not modified.
 */

export interface BinaryMetrics {
  n: number;
  positives: number;
  auc: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  logLoss: number;
  threshold: number;
}

/** Area under the ROC curve of `scores` for `labels` (1 = positive). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group [i, j]
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        rankSumPos += avgRank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** All metrics at a decision threshold (predicted positive when score >= threshold). */
export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`binaryMetrics: ${n} scores but ${labels.length} labels`);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let logLoss = 0;
  const eps = 1e-15;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    const y = labels[i]!;
    const predicted = s >= threshold;
    if (y === 1) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
    const p = Math.min(1 - eps, Math.max(eps, s));
    logLoss -= y === 1 ? Math.log(p) : Math.log(1 - p);
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    n,
    positives: tp + fn,
    auc: rocAuc(scores, labels),
    accuracy: n === 0 ? Number.NaN : (tp + tn) / n,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    logLoss: n === 0 ? Number.NaN : logLoss / n,
    threshold,
  };
}
