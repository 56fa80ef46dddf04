/**
 * Restart strategies with Flink's names and keys: `none`, `fixed-delay` (attempts, delay) and
 * `exponential-delay` (initial-backoff, max-backoff, backoff-multiplier, reset-backoff-threshold,
 * attempts-before-reset-backoff). Without checkpointing the default is none; with it, exponential-delay
 * (Flink ≥ 1.19).
 */
import { SluiceError } from '../errors/catalogue.js';

export interface RestartStrategy {
  readonly name: string;
  /** Delay before the next attempt, or undefined when no more restarts are allowed. */
  nextDelayMs(nowMs: number): number | undefined;
}

export interface RestartConfig {
  type?: string;
  fixedAttempts?: number;
  fixedDelayMs?: number;
  expInitialMs?: number;
  expMaxMs?: number;
  expMultiplier?: number;
  expResetThresholdMs?: number;
  expAttempts?: number;
}

export function createRestartStrategy(c: RestartConfig, checkpointingEnabled: boolean): RestartStrategy {
  const type = (c.type ?? (checkpointingEnabled ? 'exponential-delay' : 'none')).toLowerCase();
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return { name: 'none', nextDelayMs: () => undefined };
    case 'fixed-delay':
    case 'fixeddelay': {
      let used = 0;
      const attempts = c.fixedAttempts ?? 1;
      const delay = c.fixedDelayMs ?? 1000;
      return { name: 'fixed-delay', nextDelayMs: () => (used++ < attempts ? delay : undefined) };
    }
    case 'exponential-delay':
    case 'exponentialdelay': {
      const initial = c.expInitialMs ?? 1000;
      const max = c.expMaxMs ?? 60_000;
      const mult = c.expMultiplier ?? 1.5;
      const reset = c.expResetThresholdMs ?? 3_600_000;
      const attempts = c.expAttempts ?? Number.MAX_SAFE_INTEGER;
      let current = 0;
      let lastFailure = -Infinity;
      let used = 0;
      return {
        name: 'exponential-delay',
        nextDelayMs: (now) => {
          if (now - lastFailure > reset) {
            current = 0;
            used = 0;
          }
          lastFailure = now;
          if (used++ >= attempts) return undefined;
          current = current === 0 ? initial : Math.min(max, current * mult);
          return current;
        },
      };
    }
    default:
      throw new SluiceError(
        'CONFIG_INVALID',
        `restart-strategy.type: unknown strategy "${c.type}" (none, fixed-delay, exponential-delay)`,
      );
  }
}
