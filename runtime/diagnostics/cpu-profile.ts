/**
 * Flame graphs from V8's sampling CPU profiler (node:inspector, in-process): `sampleCpu` profiles this
 * process for a while and returns the call tree in Flink's `VertexFlameGraph.Node` shape (`{name, value,
 * children}`, value = samples in the frame and below, root named "root"); `selectThreadStates` cuts it to
 * Flink's ON_CPU / OFF_CPU / FULL views (V8 puts the event loop's waiting under "(idle)"); `mergeTrees` adds the
 * trees of several workers.
 *
 * Invariant: at most one profile runs per process; a request while one runs shares its result.
 */
import { Session } from 'node:inspector';
import { platform } from '../platform/index.js';

export interface FlameNode {
  name: string;
  value: number;
  children: FlameNode[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** V8's pseudo-frame for time the thread spent waiting in the event loop. */
export const IDLE_FRAME = '(idle)';

let running: Promise<FlameNode> | undefined;

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
  );
}

function frameName(cf: ProfileNode['callFrame']): string {
  const fn = cf.functionName || '(anonymous)';
  if (!cf.url) return fn;
  const file = cf.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/)/, '$1');
  return `${fn} (${file.split('/').slice(-2).join('/')}:${cf.lineNumber + 1})`;
}

/** Converts a V8 `Profile` (flat nodes with child ids) to Flink's nested tree. */
export function profileToTree(nodes: ProfileNode[]): FlameNode {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const build = (n: ProfileNode): FlameNode => {
    const children = (n.children ?? []).map((id) => build(byId.get(id)!)).filter((c) => c.value > 0);
    const value = (n.hitCount ?? 0) + children.reduce((a, c) => a + c.value, 0);
    return { name: frameName(n.callFrame), value, children };
  };
  const root = nodes[0] ? build(nodes[0]) : { name: 'root', value: 0, children: [] };
  return { ...root, name: 'root' };
}

/** Samples this process's CPU for `durationMs`, one sample every `intervalMs`. */
export function sampleCpu(durationMs: number, intervalMs: number): Promise<FlameNode> {
  if (running) return running;
  const s = new Session();
  s.connect();
  running = (async () => {
    try {
      await post(s, 'Profiler.enable');
      await post(s, 'Profiler.setSamplingInterval', { interval: Math.max(100, Math.round(intervalMs * 1000)) });
      await post(s, 'Profiler.start');
      await new Promise<void>((r) => platform.clock.setTimeout(() => r(), durationMs));
      const { profile } = await post<{ profile: { nodes: ProfileNode[] } }>(s, 'Profiler.stop');
      return profileToTree(profile.nodes);
    } finally {
      s.disconnect();
      running = undefined;
    }
  })();
  return running;
}

/** Flink's thread-state views: ON_CPU drops the idle frame, OFF_CPU keeps only it, FULL keeps both. */
export function selectThreadStates(tree: FlameNode, type: 'FULL' | 'ON_CPU' | 'OFF_CPU'): FlameNode {
  if (type === 'FULL') return tree;
  const children = tree.children.filter((c) => (c.name === IDLE_FRAME) === (type === 'OFF_CPU'));
  return { name: tree.name, value: children.reduce((a, c) => a + c.value, 0), children };
}

/** Adds trees frame by frame (same name at the same depth is the same frame). */
export function mergeTrees(trees: FlameNode[]): FlameNode {
  const merge = (name: string, nodes: FlameNode[]): FlameNode => {
    const byName = new Map<string, FlameNode[]>();
    for (const n of nodes) for (const c of n.children) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
    return {
      name,
      value: nodes.reduce((a, n) => a + n.value, 0),
      children: [...byName.entries()].map(([k, list]) => merge(k, list)).sort((a, b) => b.value - a.value),
    };
  };
  return merge('root', trees);
}
