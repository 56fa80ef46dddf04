/**
 * The job's strategy argument → a SpeculativeStrategy. Responsibility: parse `deadline[:ms]`, `consensus`,
 * `quality[:metric]` joined with `+` (e.g. `deadline:5+quality`); the deadline's fallback is the fast
 * `linear` model, quality compares the declared held-out `accuracy` unless another metric is named
 * (`logLoss` counts lower as better). Unknown parts are an error, so a typo never silently serves differently.
 */
import type { SpeculativeStrategy } from 'sluice/ml';

export const FALLBACK_MODEL = 'linear';
export const DEFAULT_DEADLINE_MS = 5;

export function parseStrategy(arg: string): SpeculativeStrategy {
  const s: SpeculativeStrategy = {};
  for (const part of arg
    .split('+')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [kind, param] = part.split(':') as [string, string | undefined];
    if (kind === 'deadline') {
      const ms = param === undefined ? DEFAULT_DEADLINE_MS : Number(param);
      if (!(ms > 0)) throw new Error(`deadline needs a positive number of ms, got ${param}`);
      s.deadline = { deadlineMs: ms, fallback: FALLBACK_MODEL };
    } else if (kind === 'consensus') s.consensus = {};
    else if (kind === 'quality') {
      const metric = param ?? 'accuracy';
      s.quality =
        param === 'confidence' ? { by: 'confidence' } : { by: 'metric', metric, higherIsBetter: metric !== 'logLoss' };
    } else
      throw new Error(
        `unknown strategy part "${part}" (use deadline[:ms], consensus, quality[:metric|confidence], joined with +)`,
      );
  }
  if (!s.deadline && !s.consensus && !s.quality) throw new Error(`no strategy in "${arg}"`);
  return s;
}
