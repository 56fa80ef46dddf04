/**
 * PlainKafkaWriter: the NONE and AT_LEAST_ONCE writers. One non-transactional kafkajs producer per
 * subtask (idempotent for AT_LEAST_ONCE, so retries add no duplicates within a run); records go out in
 * ordered batches. AT_LEAST_ONCE waits for every send at each barrier (`flush`), so a completed
 * checkpoint implies its records are acknowledged (acks=all); NONE never waits at barriers
 * (fire-and-forget, acks=1) and only drains at end of input and close.
 *
 * Invariant: a send error fails the task at the next write or flush (for both guarantees).
 */
import type { Kafka, Producer } from 'kafkajs';
import type { SinkWriter } from '../../../runtime/api/source.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { serialize, toTopicMessages } from './kafka-record-serializer.js';
import type { KafkaSinkConfig } from './kafka-sink-config.js';
import { SendQueue } from './send-queue.js';

export class PlainKafkaWriter<T> implements SinkWriter<T, never, never> {
  private readonly producer: Producer;
  private readonly queue: SendQueue;
  private connected?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly config: KafkaSinkConfig<T>,
    batchSize: number,
    lingerMs: number,
  ) {
    const atLeastOnce = config.deliveryGuarantee === 'AT_LEAST_ONCE';
    this.producer = kafka.producer({
      idempotent: atLeastOnce,
      maxInFlightRequests: atLeastOnce ? 1 : undefined,
      allowAutoTopicCreation: true,
    });
    const acks = atLeastOnce ? -1 : 1;
    this.queue = new SendQueue(
      async (batch) => {
        this.connected ??= this.producer.connect();
        await this.connected;
        await this.producer.sendBatch({ topicMessages: toTopicMessages(batch), acks });
      },
      batchSize,
      lingerMs,
    );
  }

  /** Returns a promise (back-pressure) while too many batches wait for their send. */
  write(value: T, timestamp: number): Promise<void> | undefined {
    try {
      return this.queue.add(serialize(this.config.serializer, value, timestamp));
    } catch (e) {
      throw new SluiceError('TASK_FAILED', `KafkaSink: sending failed: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }

  async flush(endOfInput: boolean): Promise<void> {
    if (this.config.deliveryGuarantee === 'NONE' && !endOfInput) return;
    try {
      await this.queue.flush();
    } catch (e) {
      throw new SluiceError('TASK_FAILED', `KafkaSink: sending failed: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.queue.flush().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
