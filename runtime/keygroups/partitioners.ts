/**
 * Stream partitioners: pick the output channel of a record, as Flink's StreamPartitioner family.
 * `selectChannel(value)` returns a channel index, or -1 for "every channel" (broadcast); it allocates
 * nothing on the hot path.
 *
 * Channel numbering: when `numChannels === consumerParallelism` channel i is consumer subtask i (all
 * consumers are connected); otherwise the channels are taken to be the producer's already-connected
 * subset and forward/rescale use them directly.
 *
 * - forward:   the consumer with the producer's index (channel 0 when only one channel is connected).
 * - rebalance: round-robin over all channels, starting at a per-producer offset from a generator seeded
 *              with the producer index (Flink starts at a random channel; we make it reproducible).
 * - rescale:   round-robin over the producer's POINTWISE subset (Flink's EdgeManagerBuildUtil):
 *              P producers, C consumers. P == C: {i}. C > P: producer i → consumers
 *              [floor(i*C/P), floor((i+1)*C/P)). P > C: consumer j reads producers
 *              [floor(j*P/C), floor((j+1)*P/C)), so producer i → the single j whose interval holds i.
 *              The first record goes to the first channel of the subset (Flink starts at -1 → 0).
 * - shuffle:   uniformly random channel (seeded generator per producer).
 * - broadcast: -1.
 * - hash:      keySelector(value) → key group → operator index (KeyGroupStreamPartitioner).
 */
import { SluiceError } from '../errors/catalogue.js';
import { seededRandom } from '../platform/random.js';
import { assignKeyToParallelOperator } from './key-group-assignment.js';

export type PartitionerKind = 'forward' | 'rebalance' | 'rescale' | 'shuffle' | 'broadcast' | 'hash';

export interface Partitioner {
  readonly kind: PartitionerKind;
  /** Channel for this record, or -1 for every channel. */
  selectChannel(value: unknown): number;
}

export interface PartitionerOptions {
  numChannels: number;
  producerIndex: number;
  producerParallelism: number;
  consumerParallelism: number;
  /** The consumer's max parallelism (number of key groups); needed for 'hash'. */
  maxParallelism: number;
  /** Needed for 'hash'. */
  keySelector?: ((value: any) => unknown) | undefined;
  /** Seed for rebalance start / shuffle; defaults to a value derived from producerIndex. */
  seed?: number;
}

/** Consumers a producer sends to under the POINTWISE pattern, as [start, end) (see header). */
export function rescaleSubset(
  producerIndex: number,
  producerParallelism: number,
  consumerParallelism: number,
): { start: number; end: number } {
  const p = producerParallelism;
  const c = consumerParallelism;
  if (p === c) return { start: producerIndex, end: producerIndex + 1 };
  if (c > p) return { start: Math.floor((producerIndex * c) / p), end: Math.floor(((producerIndex + 1) * c) / p) };
  for (let j = 0; j < c; j++) {
    const s = Math.floor((j * p) / c);
    const e = Math.floor(((j + 1) * p) / c);
    if (producerIndex >= s && producerIndex < e) return { start: j, end: j + 1 };
  }
  throw new SluiceError('API_INVALID_ARGUMENT', `producer index ${producerIndex} is outside [0, ${p - 1}]`);
}

class ForwardPartitioner implements Partitioner {
  readonly kind = 'forward' as const;
  constructor(private readonly channel: number) {}
  selectChannel(): number {
    return this.channel;
  }
}

class RoundRobinPartitioner implements Partitioner {
  private next: number;
  constructor(
    readonly kind: 'rebalance' | 'rescale',
    private readonly start: number,
    private readonly count: number,
    firstOffset: number,
  ) {
    this.next = firstOffset;
  }
  selectChannel(): number {
    const c = this.start + this.next;
    this.next = this.next + 1 === this.count ? 0 : this.next + 1;
    return c;
  }
}

class ShufflePartitioner implements Partitioner {
  readonly kind = 'shuffle' as const;
  constructor(
    private readonly rnd: () => number,
    private readonly numChannels: number,
  ) {}
  selectChannel(): number {
    return Math.floor(this.rnd() * this.numChannels);
  }
}

class BroadcastPartitioner implements Partitioner {
  readonly kind = 'broadcast' as const;
  selectChannel(): number {
    return -1;
  }
}

class KeyGroupStreamPartitioner implements Partitioner {
  readonly kind = 'hash' as const;
  constructor(
    private readonly keySelector: (value: any) => unknown,
    private readonly maxParallelism: number,
    private readonly numChannels: number,
  ) {}
  selectChannel(value: unknown): number {
    return assignKeyToParallelOperator(this.keySelector(value), this.maxParallelism, this.numChannels);
  }
}

export function createPartitioner(kind: PartitionerKind, o: PartitionerOptions): Partitioner {
  if (!Number.isInteger(o.numChannels) || o.numChannels <= 0) {
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `partitioner '${kind}' needs at least one output channel, got ${o.numChannels}`,
    );
  }
  const allConnected = o.numChannels === o.consumerParallelism;
  const seed = o.seed ?? 0x5eed + o.producerIndex * 7919;
  switch (kind) {
    case 'forward': {
      const ch = allConnected && o.numChannels > 1 ? o.producerIndex : 0;
      if (ch >= o.numChannels) {
        throw new SluiceError(
          'API_INVALID_ARGUMENT',
          `forward partitioner: producer ${o.producerIndex} has no matching consumer among ${o.numChannels} channels`,
        );
      }
      return new ForwardPartitioner(ch);
    }
    case 'rebalance': {
      const first = Math.floor(seededRandom(seed)() * o.numChannels);
      return new RoundRobinPartitioner('rebalance', 0, o.numChannels, first);
    }
    case 'rescale': {
      const sub = allConnected
        ? rescaleSubset(o.producerIndex, o.producerParallelism, o.consumerParallelism)
        : { start: 0, end: o.numChannels };
      return new RoundRobinPartitioner('rescale', sub.start, sub.end - sub.start, 0);
    }
    case 'shuffle':
      return new ShufflePartitioner(seededRandom(seed), o.numChannels);
    case 'broadcast':
      return new BroadcastPartitioner();
    case 'hash':
      if (!o.keySelector)
        throw new SluiceError('API_INVALID_ARGUMENT', 'hash partitioner needs a keySelector (use keyBy)');
      if (o.numChannels > o.maxParallelism) {
        throw new SluiceError(
          'API_PARALLELISM_ABOVE_MAX',
          `hash partitioner: ${o.numChannels} channels exceed max parallelism ${o.maxParallelism}`,
        );
      }
      return new KeyGroupStreamPartitioner(o.keySelector, o.maxParallelism, o.numChannels);
    default:
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `unknown partitioner '${String(kind)}'; expected forward, rebalance, rescale, shuffle, broadcast or hash`,
      );
  }
}
