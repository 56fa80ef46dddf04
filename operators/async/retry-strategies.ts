/**
 * Retries of async I/O (Flink's AsyncRetryStrategy, AsyncRetryStrategies and RetryPredicates).
 *
 * Rules (Flink's): attempts are counted from 1 (the first call); after attempt n failed a predicate —
 * `ifResult` on the results, `ifException` on the error — the element is retried if `canRetry(n)`
 * (n ≤ maxAttempts, so up to maxAttempts retries) after `getBackoffTimeMillis(n)`; otherwise the attempt's
 * outcome is final. Without predicates nothing is retried. Fixed delay waits the same time each retry;
 * exponential backoff waits initialDelay, then ×multiplier per retry, capped at maxRetryDelay. The async
 * timeout covers all attempts.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';

export interface AsyncRetryPredicate<OUT> {
  /** Retry when this returns true for an attempt's results. */
  resultPredicate(): ((results: OUT[]) => boolean) | undefined;
  /** Retry when this returns true for an attempt's error. */
  exceptionPredicate(): ((error: unknown) => boolean) | undefined;
}

export interface AsyncRetryStrategy<OUT> {
  canRetry(currentAttempts: number): boolean;
  getBackoffTimeMillis(currentAttempts: number): number;
  getRetryPredicate(): AsyncRetryPredicate<OUT>;
}

class Strategy<OUT> implements AsyncRetryStrategy<OUT> {
  constructor(
    private readonly maxAttempts: number,
    private readonly backoff: (attempt: number) => number,
    private readonly results: ((r: OUT[]) => boolean) | undefined,
    private readonly errors: ((e: unknown) => boolean) | undefined,
  ) {}
  canRetry(currentAttempts: number): boolean {
    return currentAttempts <= this.maxAttempts;
  }
  getBackoffTimeMillis(currentAttempts: number): number {
    return this.backoff(currentAttempts);
  }
  getRetryPredicate(): AsyncRetryPredicate<OUT> {
    return { resultPredicate: () => this.results, exceptionPredicate: () => this.errors };
  }
}

abstract class Builder<OUT> {
  protected results: ((r: OUT[]) => boolean) | undefined;
  protected errors: ((e: unknown) => boolean) | undefined;
  constructor(protected readonly maxAttempts: number) {
    if (!(Number.isInteger(maxAttempts) && maxAttempts > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `maxAttempts should be greater than zero (got ${maxAttempts})`);
  }
  ifResult(predicate: (results: OUT[]) => boolean): this {
    this.results = predicate;
    return this;
  }
  ifException(predicate: (error: unknown) => boolean): this {
    this.errors = predicate;
    return this;
  }
  abstract build(): AsyncRetryStrategy<OUT>;
}

function nonNegative(ms: number, what: string): number {
  if (!(Number.isFinite(ms) && ms >= 0))
    throw new SluiceError('API_INVALID_ARGUMENT', `${what} should not be negative (got ${ms})`);
  return ms;
}

class FixedDelayRetryStrategyBuilder<OUT> extends Builder<OUT> {
  private readonly backoffTimeMillis: number;
  constructor(maxAttempts: number, backoffTimeMillis: number) {
    super(maxAttempts);
    this.backoffTimeMillis = nonNegative(backoffTimeMillis, 'backoffTimeMillis');
  }
  build(): AsyncRetryStrategy<OUT> {
    return new Strategy<OUT>(this.maxAttempts, () => this.backoffTimeMillis, this.results, this.errors);
  }
}

class ExponentialBackoffDelayRetryStrategyBuilder<OUT> extends Builder<OUT> {
  constructor(
    maxAttempts: number,
    private readonly initialDelay: number,
    private readonly maxRetryDelay: number,
    private readonly multiplier: number,
  ) {
    super(maxAttempts);
    nonNegative(initialDelay, 'initialDelay');
    if (!(maxRetryDelay >= initialDelay))
      throw new SluiceError('API_INVALID_ARGUMENT', 'maxRetryDelay should not be less than initialDelay');
    if (!(multiplier >= 1)) throw new SluiceError('API_INVALID_ARGUMENT', 'multiplier should be at least 1');
  }
  build(): AsyncRetryStrategy<OUT> {
    const { initialDelay, maxRetryDelay, multiplier } = this;
    return new Strategy<OUT>(
      this.maxAttempts,
      (attempt) => Math.min(initialDelay * multiplier ** Math.max(0, attempt - 1), maxRetryDelay),
      this.results,
      this.errors,
    );
  }
}

export const AsyncRetryStrategies = {
  NO_RETRY_STRATEGY: new Strategy<any>(0, () => 0, undefined, undefined) as AsyncRetryStrategy<any>,
  FixedDelayRetryStrategyBuilder,
  ExponentialBackoffDelayRetryStrategyBuilder,
};

export const RetryPredicates = {
  /** Retry when an attempt returned no results. */
  EMPTY_RESULT_PREDICATE: (results: unknown[]): boolean => results.length === 0,
  /** Retry on any error. */
  HAS_EXCEPTION_PREDICATE: (_error: unknown): boolean => true,
  /** Retry when the error, or an error in its `cause` chain, is an instance of `type`. */
  createExceptionTypePredicate(type: abstract new (...args: any[]) => unknown): (error: unknown) => boolean {
    return (error) => {
      for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 32; depth++) {
        if (e instanceof type) return true;
        e = (e as { cause?: unknown }).cause;
      }
      return false;
    };
  },
};
