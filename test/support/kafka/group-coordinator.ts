/**
 * GroupCoordinator: Kafka's consumer-group membership protocol for one broker — JoinGroup / SyncGroup /
 * Heartbeat / LeaveGroup state machine (Empty → PreparingRebalance → CompletingRebalance → Stable),
 * session expiry, rebalance timeout, and validation of group offset commits. Committed offsets themselves
 * live in the MetadataStore.
 * Invariants: a rebalance completes when every known member has a pending JoinGroup, or when the largest
 * rebalance timeout elapses (members that did not rejoin are dropped); every completed join bumps the
 * generation; only the leader's SyncGroup moves CompletingRebalance → Stable and releases the other
 * members' pending SyncGroups; a member with a pending JoinGroup/SyncGroup never expires.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from './protocol/api-keys.js';

export interface JoinResult {
  error: number;
  generation: number;
  protocol: string;
  leader: string;
  memberId: string;
  members: Array<[string, Buffer]>;
}
export interface SyncResult {
  error: number;
  assignment: Buffer;
}

type State = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

interface Member {
  id: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Array<[string, Buffer]>;
  assignment: Buffer;
  lastSeen: number;
  pendingJoin: ((r: JoinResult) => void) | null;
  pendingSync: ((r: SyncResult) => void) | null;
}

export interface GroupView {
  id: string;
  state: State;
  protocolType: string;
  protocol: string;
  members: Array<{ id: string; clientId: string; metadata: Buffer; assignment: Buffer }>;
}

class Group {
  state: State = 'Empty';
  generation = 0;
  protocolType = '';
  protocol = '';
  leader = '';
  readonly members = new Map<string, Member>();
  rebalanceTimer: NodeJS.Timeout | null = null;
  constructor(readonly id: string) {}
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepMs = 250) {
    this.sweeper = setInterval(() => this.expireSessions(), sweepMs);
    this.sweeper.unref();
  }

  join(
    groupId: string,
    memberId: string,
    clientId: string,
    sessionTimeoutMs: number,
    rebalanceTimeoutMs: number,
    protocolType: string,
    protocols: Array<[string, Buffer]>,
  ): Promise<JoinResult> {
    const fail = (error: number) =>
      Promise.resolve({ error, generation: -1, protocol: '', leader: '', memberId, members: [] });
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new Group(groupId);
      this.groups.set(groupId, g);
    }
    if (protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (g.members.size > 0 && g.protocolType !== protocolType) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (memberId !== '' && !g.members.has(memberId)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const id = memberId !== '' ? memberId : `${clientId}-${randomUUID()}`;
    const prev = g.members.get(id);
    prev?.pendingJoin?.({
      error: ErrorCode.REBALANCE_IN_PROGRESS,
      generation: -1,
      protocol: '',
      leader: '',
      memberId: id,
      members: [],
    });
    const member: Member = {
      id,
      clientId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocols,
      assignment: prev?.assignment ?? EMPTY,
      lastSeen: Date.now(),
      pendingJoin: null,
      pendingSync: null,
    };
    g.members.set(id, member);
    g.protocolType = protocolType;
    const result = new Promise<JoinResult>((resolve) => {
      member.pendingJoin = resolve;
    });
    if (g.state !== 'PreparingRebalance') this.prepareRebalance(g);
    this.maybeCompleteJoin(g);
    return result;
  }

  sync(
    groupId: string,
    memberId: string,
    generation: number,
    assignments: Array<[string, Buffer]>,
  ): Promise<SyncResult> {
    const fail = (error: number) => Promise.resolve({ error, assignment: EMPTY });
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (g === undefined || m === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generation !== g.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (g.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    m.lastSeen = Date.now();
    if (g.state === 'Stable') return Promise.resolve({ error: ErrorCode.NONE, assignment: m.assignment });
    const result = new Promise<SyncResult>((resolve) => {
      m.pendingSync = resolve;
    });
    if (memberId === g.leader) {
      const byId = new Map(assignments);
      for (const member of g.members.values()) member.assignment = byId.get(member.id) ?? EMPTY;
      g.state = 'Stable';
      for (const member of g.members.values()) {
        const done = member.pendingSync;
        member.pendingSync = null;
        done?.({ error: ErrorCode.NONE, assignment: member.assignment });
      }
    }
    return result;
  }

  heartbeat(groupId: string, memberId: string, generation: number): number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (g === undefined || m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    m.lastSeen = Date.now();
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    if (g === undefined || !g.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(g, memberId);
    return ErrorCode.NONE;
  }

  /** Error code for an OffsetCommit; generation -1 with no member is a standalone (non-group) commit. */
  validateCommit(groupId: string, memberId: string, generation: number): number {
    if (generation < 0 && memberId === '') return ErrorCode.NONE;
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (g === undefined || m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    m.lastSeen = Date.now();
    return ErrorCode.NONE;
  }

  describe(groupId: string): GroupView {
    const g = this.groups.get(groupId);
    if (g === undefined) return { id: groupId, state: 'Empty', protocolType: '', protocol: '', members: [] };
    return {
      id: g.id,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      members: [...g.members.values()].map((m) => ({
        id: m.id,
        clientId: m.clientId,
        assignment: m.assignment,
        metadata: m.protocols.find(([n]) => n === g.protocol)?.[1] ?? EMPTY,
      })),
    };
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const g of this.groups.values()) if (g.rebalanceTimer !== null) clearTimeout(g.rebalanceTimer);
  }

  private prepareRebalance(g: Group): void {
    g.state = 'PreparingRebalance';
    for (const m of g.members.values()) {
      const s = m.pendingSync;
      m.pendingSync = null;
      s?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    if (g.rebalanceTimer !== null) clearTimeout(g.rebalanceTimer);
    const timeout = Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs));
    g.rebalanceTimer = setTimeout(() => {
      g.rebalanceTimer = null;
      if (g.state !== 'PreparingRebalance') return;
      for (const m of [...g.members.values()]) if (m.pendingJoin === null) g.members.delete(m.id);
      this.completeJoin(g);
    }, timeout);
    g.rebalanceTimer.unref();
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    for (const m of g.members.values()) if (m.pendingJoin === null) return;
    this.completeJoin(g);
  }

  private completeJoin(g: Group): void {
    if (g.rebalanceTimer !== null) {
      clearTimeout(g.rebalanceTimer);
      g.rebalanceTimer = null;
    }
    g.generation++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.leader = '';
      g.protocol = '';
      return;
    }
    const members = [...g.members.values()];
    const chosen = members[0]!.protocols
      .map(([n]) => n)
      .find((n) => members.every((m) => m.protocols.some(([p]) => p === n)));
    g.protocol = chosen ?? members[0]!.protocols[0]![0];
    if (!g.members.has(g.leader)) g.leader = members[0]!.id;
    g.state = 'CompletingRebalance';
    const all = members.map((m): [string, Buffer] => [m.id, m.protocols.find(([n]) => n === g.protocol)?.[1] ?? EMPTY]);
    for (const m of members) {
      const done = m.pendingJoin;
      m.pendingJoin = null;
      m.lastSeen = Date.now();
      done?.({
        error: ErrorCode.NONE,
        generation: g.generation,
        protocol: g.protocol,
        leader: g.leader,
        memberId: m.id,
        members: m.id === g.leader ? all : [],
      });
    }
  }

  private removeMember(g: Group, memberId: string): void {
    const m = g.members.get(memberId);
    if (m === undefined) return;
    g.members.delete(memberId);
    m.pendingJoin?.({
      error: ErrorCode.UNKNOWN_MEMBER_ID,
      generation: -1,
      protocol: '',
      leader: '',
      memberId,
      members: [],
    });
    m.pendingSync?.({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (g.members.size === 0) {
      if (g.rebalanceTimer !== null) {
        clearTimeout(g.rebalanceTimer);
        g.rebalanceTimer = null;
      }
      g.state = 'Empty';
      g.generation++;
      g.leader = '';
      return;
    }
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g);
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        if (m.pendingJoin !== null || m.pendingSync !== null) continue;
        if (now - m.lastSeen > m.sessionTimeoutMs) this.removeMember(g, m.id);
      }
    }
  }
}
