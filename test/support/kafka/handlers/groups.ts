/**
 * Group requests: FindCoordinator (v0–1, this broker coordinates every group and transaction), JoinGroup
 * (v0–2), SyncGroup (v0–1), Heartbeat (v0–1), LeaveGroup (v0–1), DescribeGroups (v0), OffsetCommit (v2) and
 * OffsetFetch (v1–2). Decoding/encoding only; the state machine is the GroupCoordinator's.
 * Invariant: OffsetFetch answers offset -1 (no error) for partitions without a committed offset, which
 * clients take as "use the reset policy".
 */
import { ErrorCode } from '../protocol/api-keys.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerContext, RequestHeader } from './context.js';

export function findCoordinator(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  r.string();
  if (req.apiVersion >= 1) {
    r.int8();
    w.int32(0);
  }
  w.int16(ErrorCode.NONE);
  if (req.apiVersion >= 1) w.string(null);
  w.int32(ctx.nodeId).string(ctx.host).int32(ctx.port);
}

export async function joinGroup(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): Promise<void> {
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = req.apiVersion >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const protocolType = r.string();
  const protocols = r.array((r): [string, Buffer] => [r.string(), Buffer.from(r.bytes())]);
  const res = await ctx.groups.join(
    groupId,
    memberId,
    req.clientId ?? '',
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    protocolType,
    protocols,
  );
  if (req.apiVersion >= 2) w.int32(0);
  w.int16(res.error).int32(res.generation).string(res.protocol).string(res.leader).string(res.memberId);
  w.array(res.members, (w, [id, meta]) => w.string(id).bytes(meta));
}

export async function syncGroup(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): Promise<void> {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  const assignments = r.array((r): [string, Buffer] => [r.string(), Buffer.from(r.bytes())]);
  const res = await ctx.groups.sync(groupId, memberId, generation, assignments);
  if (req.apiVersion >= 1) w.int32(0);
  w.int16(res.error).bytes(res.assignment);
}

export function heartbeat(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  if (req.apiVersion >= 1) w.int32(0);
  w.int16(ctx.groups.heartbeat(groupId, memberId, generation));
}

export function leaveGroup(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const groupId = r.string();
  const memberId = r.string();
  if (req.apiVersion >= 1) w.int32(0);
  w.int16(ctx.groups.leave(groupId, memberId));
}

export function describeGroups(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const ids = r.array((r) => r.string());
  w.array(ids, (w, id) => {
    const g = ctx.groups.describe(id);
    w.int16(ErrorCode.NONE).string(g.id).string(g.state).string(g.protocolType).string(g.protocol);
    w.array(g.members, (w, m) =>
      w.string(m.id).string(m.clientId).string('/127.0.0.1').bytes(m.metadata).bytes(m.assignment),
    );
  });
}

export function offsetCommit(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const groupId = r.string();
  const generation = r.int32();
  const memberId = r.string();
  r.int64(); // retention
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ index: r.int32(), offset: r.int64(), metadata: r.nullableString() })),
  }));
  const error = ctx.groups.validateCommit(groupId, memberId, generation);
  if (error === ErrorCode.NONE) {
    for (const t of topics)
      for (const p of t.partitions) ctx.meta.commitOffset(groupId, t.name, p.index, p.offset, p.metadata);
    ctx.meta.save();
  }
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(error));
  });
}

export function offsetFetch(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const groupId = r.string();
  const requested = r.nullableArray((r): [string, number[]] => [r.string(), r.array((r) => r.int32())]);
  const topics = requested ?? ctx.meta.committedTopics(groupId);
  w.array(topics, (w, [name, partitions]) => {
    w.string(name);
    w.array(partitions, (w, p) => {
      const c = ctx.meta.committed(groupId, name, p);
      w.int32(p)
        .int64(c?.offset ?? -1)
        .string(c?.metadata ?? '')
        .int16(ErrorCode.NONE);
    });
  });
  if (req.apiVersion >= 2) w.int16(ErrorCode.NONE);
}
