/**
 * PMML derived fields that sluice evaluates: FieldRef, Constant and NormContinuous (piecewise-linear
 * normalisation through LinearNorm points, extrapolated as PMML's default `asIs`). They are computed in
 * document order before a model runs, so a later field may use an earlier one.
 *
 * Invariant: any other expression (Apply, Discretize, MapValues, NormDiscrete, …) is refused at load by name.
 */
import type { Fields } from './predicates.js';
import { type El, attr, child, invalid, list, num, unsupported } from './pmml-document.js';

export type Expression = (row: Fields) => number;

/** NormContinuous: linear interpolation between (orig, norm) points; outside them the end segments extend. */
export function normContinuous(el: El): { forward: Expression; inverse: (y: number) => number } {
  const field = attr(el, 'field')!;
  const pts = list(el, 'LinearNorm').map((p) => [num(p, 'orig'), num(p, 'norm')] as const);
  if (pts.length < 2) invalid(`NormContinuous on ${field} needs at least two LinearNorm points`);
  const interp = (x: number, from: 0 | 1) => {
    const to = from === 0 ? 1 : 0;
    let i = 0;
    while (i < pts.length - 2 && x > pts[i + 1]![from]) i++;
    const a = pts[i]!;
    const b = pts[i + 1]!;
    return a[to] + ((x - a[from]) * (b[to] - a[to])) / (b[from] - a[from]);
  };
  return { forward: (r) => interp(r[field] ?? Number.NaN, 0), inverse: (y) => interp(y, 1) };
}

export function compileExpression(el: El, where: string): Expression {
  const ref = child(el, 'FieldRef');
  if (ref) {
    const f = attr(ref, 'field')!;
    return (r) => r[f] ?? Number.NaN;
  }
  const constant = el.Constant;
  if (constant !== undefined) {
    const v = Number(typeof constant === 'object' ? (constant as El)['#text'] : constant);
    return () => v;
  }
  const norm = child(el, 'NormContinuous');
  if (norm) return normContinuous(norm).forward;
  const kind = Object.keys(el).find((k) => /^[A-Z]/.test(k) && k !== 'Extension');
  return unsupported(kind ?? 'expression', where);
}

/** Compiles derived fields into one step that adds them to a row. */
export function compileDerivedFields(fields: El[], where: string): (row: Fields) => void {
  const steps = fields.map(
    (f) => [attr(f, 'name')!, compileExpression(f, `${where} DerivedField ${attr(f, 'name')}`)] as const,
  );
  return (row) => {
    for (const [name, expr] of steps) row[name] = expr(row);
  };
}
