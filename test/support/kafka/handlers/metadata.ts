/**
 * Cluster-level requests: ApiVersions (v0–2), Metadata (v1–4, with auto-creation), CreateTopics (v0–1) and
 * DeleteTopics (v0–1). This broker is node 0, the leader and only replica of every partition, and the
 * controller.
 * Invariant: Metadata lists a requested topic that does not exist (and is not auto-created) with
 * UNKNOWN_TOPIC_OR_PARTITION and no partitions, as Kafka does.
 */
import { ErrorCode, SUPPORTED_VERSIONS } from '../protocol/api-keys.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import { LogStore } from '../log-store.js';
import type { BrokerContext, RequestHeader } from './context.js';

export function apiVersions(_ctx: BrokerContext, req: RequestHeader, _r: Reader, w: Writer): void {
  w.int16(ErrorCode.NONE);
  w.array(SUPPORTED_VERSIONS, (w, [key, min, max]) => w.int16(key).int16(min).int16(max));
  if (req.apiVersion >= 1) w.int32(0);
}

export function metadata(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const v = req.apiVersion;
  const requested = r.nullableArray((r) => r.string());
  const allowAuto = v >= 4 ? r.bool() : true;
  const names = requested === null || (v === 0 && requested.length === 0) ? ctx.logs.names() : requested;
  if (v >= 3) w.int32(0);
  w.array([ctx.nodeId], (w, id) => {
    w.int32(id).string(ctx.host).int32(ctx.port);
    if (v >= 1) w.string(null);
  });
  if (v >= 2) w.string(ctx.clusterId);
  if (v >= 1) w.int32(ctx.nodeId);
  w.array(names, (w, name) => {
    const logs = ctx.logs.getOrAutoCreate(name, allowAuto);
    w.int16(
      logs === undefined
        ? LogStore.isValidName(name)
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : ErrorCode.INVALID_TOPIC_EXCEPTION
        : ErrorCode.NONE,
    );
    w.string(name);
    if (v >= 1) w.bool(false);
    w.array(logs ?? [], (w, log) => {
      w.int16(ErrorCode.NONE).int32(log.partition).int32(ctx.nodeId);
      w.array([ctx.nodeId], (w, n) => w.int32(n));
      w.array([ctx.nodeId], (w, n) => w.int32(n));
    });
  });
}

export function createTopics(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const topics = r.array((r) => {
    const name = r.string();
    const numPartitions = r.int32();
    r.int16(); // replication factor: always 1 here
    const assignments = r.array((r) => ({ partition: r.int32(), brokers: r.array((r) => r.int32()) }));
    r.array((r) => [r.string(), r.nullableString()]);
    return { name, numPartitions, assignments };
  });
  r.int32(); // timeout
  const validateOnly = req.apiVersion >= 1 ? r.bool() : false;
  w.array(topics, (w, t) => {
    const n =
      t.numPartitions > 0
        ? t.numPartitions
        : t.assignments.length > 0
          ? t.assignments.length
          : t.numPartitions === -1
            ? ctx.logs.defaultPartitions
            : 0;
    let code: number = ErrorCode.NONE;
    let message: string | null = null;
    if (!LogStore.isValidName(t.name)) {
      code = ErrorCode.INVALID_TOPIC_EXCEPTION;
      message = `invalid topic name ${t.name}`;
    } else if (ctx.logs.get(t.name) !== undefined) {
      code = ErrorCode.TOPIC_ALREADY_EXISTS;
      message = `Topic '${t.name}' already exists.`;
    } else if (n <= 0) {
      code = ErrorCode.INVALID_PARTITIONS;
      message = 'Number of partitions must be larger than 0.';
    } else if (!validateOnly) ctx.logs.create(t.name, n);
    w.string(t.name).int16(code);
    if (req.apiVersion >= 1) w.string(message);
  });
}

export function deleteTopics(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const names = r.array((r) => r.string());
  r.int32();
  if (req.apiVersion >= 1) w.int32(0);
  w.array(names, (w, name) => {
    w.string(name).int16(ctx.logs.delete(name) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
}
