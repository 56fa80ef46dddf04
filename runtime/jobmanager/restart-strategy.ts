/**
 * Restart strategies with Flink's names and keys, read from the typed configuration:
 * - `none`: the first failure fails the job.
 * - `fixed-delay` (attempts, delay): `attempts` restarts, each after `delay`.
 * - `failure-rate` (max-failures-per-interval, failure-rate-interval, delay): as Flink's
 *   FailureRateRestartBackoffTimeStrategy, the job fails when a failure is the `max-failures-per-interval`-th
 *   within `failure-rate-interval` (so with the default of 1 it never restarts); otherwise it restarts after
 *   `delay`.
 * - `exponential-delay` (initial-backoff, max-backoff, backoff-multiplier, reset-backoff-threshold,
 *   jitter-factor, attempts-before-reset-backoff): delays grow by the multiplier up to the maximum, each
 *   moved by a random ±jitter share; a failure after `reset-backoff-threshold` of calm starts over.
 * Unset type: none without checkpointing; exponential-delay with it (Flink ≥ 1.19).
 *
 * Invariant: `nextDelayMs` is called once per failure with the failure's time (platform clock) and returns
 * the delay before the restart, or undefined when the job must fail.
 */
import { platform } from '../platform/index.js';
import type { SluiceConfig } from '../config/sluice-config.js';

export interface RestartStrategy {
  readonly name: string;
  /** Delay before the next attempt, or undefined when no more restarts are allowed. */
  nextDelayMs(nowMs: number): number | undefined;
}

/** Uniform in [0, 1); jitter only, so a seeded generator from a random seed is enough. */
function defaultRandom(): () => number {
  return platform.random.seeded(Number.parseInt(platform.random.hex(8), 16));
}

export function createRestartStrategy(
  config: SluiceConfig,
  checkpointingEnabled: boolean,
  random: () => number = defaultRandom(),
): RestartStrategy {
  const type = config['restart-strategy.type'] ?? (checkpointingEnabled ? 'exponential-delay' : 'none');
  switch (type) {
    case 'none':
      return { name: 'none', nextDelayMs: () => undefined };
    case 'fixed-delay': {
      let used = 0;
      const attempts = config['restart-strategy.fixed-delay.attempts'];
      const delay = config['restart-strategy.fixed-delay.delay'];
      return { name: 'fixed-delay', nextDelayMs: () => (used++ < attempts ? delay : undefined) };
    }
    case 'failure-rate':
      return failureRate(config);
    case 'exponential-delay':
      return exponentialDelay(config, random);
  }
}

function failureRate(config: SluiceConfig): RestartStrategy {
  const maxFailures = config['restart-strategy.failure-rate.max-failures-per-interval'];
  const intervalMs = config['restart-strategy.failure-rate.failure-rate-interval'];
  const delay = config['restart-strategy.failure-rate.delay'];
  const failures: number[] = []; // the last maxFailures failure times, oldest first
  return {
    name: 'failure-rate',
    nextDelayMs: (now) => {
      if (failures.length >= maxFailures) failures.shift();
      failures.push(now);
      if (failures.length >= maxFailures && now - failures[0]! <= intervalMs) return undefined;
      return delay;
    },
  };
}

function exponentialDelay(config: SluiceConfig, random: () => number): RestartStrategy {
  const initial = config['restart-strategy.exponential-delay.initial-backoff'];
  const max = config['restart-strategy.exponential-delay.max-backoff'];
  const mult = config['restart-strategy.exponential-delay.backoff-multiplier'];
  const reset = config['restart-strategy.exponential-delay.reset-backoff-threshold'];
  const jitter = config['restart-strategy.exponential-delay.jitter-factor'];
  const attempts = config['restart-strategy.exponential-delay.attempts-before-reset-backoff'];
  let current = 0;
  let lastFailure = Number.NEGATIVE_INFINITY;
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
      const offset = Math.round(current * jitter * (2 * random() - 1));
      return Math.max(0, Math.min(max, Math.round(current + offset)));
    },
  };
}
