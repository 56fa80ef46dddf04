/**
 * Hosts for multi-host tests on one machine: Linux network namespaces, each with its own address on a
 * 10.77.<n>.0/24 subnet, joined by veth pairs to a bridge in the test's namespace (which holds .254, so the
 * test itself reaches every host). Processes run inside a host through `ip netns exec`; a host's link goes
 * down and up with `ip link set eth0 down|up` inside its namespace.
 *
 * Invariants: names carry the test process's pid (several runs never collide), and the subnet is one no
 * interface has an address in yet; the teardown registered by
 * `createNetwork` kills every process started here and removes every namespace, veth and the bridge, also
 * when the test fails or creation stopped half-way. `netnsUnavailable()` says why namespaces cannot be made
 * here (not root, no `ip`, a sandbox without CAP_NET_ADMIN), for a skip with that reason.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Host {
  /** Short name given by the test ("a", "b", …). */
  name: string;
  /** The namespace's name. */
  ns: string;
  /** Its address on the bridge. */
  address: string;
}

export interface Network {
  subnet: string;
  hosts: Record<string, Host>;
  /** Runs a command inside a host and returns its stdout. */
  exec(host: string, cmd: string, args: string[]): string;
  /** Starts a long-running process inside a host; it is killed in teardown. */
  spawn(host: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess;
  linkDown(host: string): void;
  linkUp(host: string): void;
}

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const quietly = (f: () => unknown) => {
  try {
    f();
  } catch {
    /* already gone */
  }
};

/** Why network namespaces cannot be created here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  const probe = `sluice-probe-${process.pid}`;
  const bridge = `slpb${process.pid % 100000}`;
  try {
    ip(['netns', 'add', probe]);
    ip(['link', 'add', 'name', bridge, 'type', 'bridge']);
    return undefined;
  } catch (e) {
    const msg = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    return `cannot create network namespaces and bridges here (needs root with CAP_NET_ADMIN and iproute2): ${msg}`;
  } finally {
    quietly(() => ip(['link', 'del', bridge]));
    quietly(() => ip(['netns', 'del', probe]));
  }
}

/**
 * A 10.77.n subnet no interface of this machine has an address in, starting at n = start + 1: two tests
 * creating networks at once (the integration tier runs the multi-host files side by side) never share one,
 * even when their pids fall on the same n.
 */
function freeSubnet(start: number): string {
  for (let k = 0; k < 250; k++) {
    const subnet = `10.77.${((start + k) % 250) + 1}`;
    if (ip(['-o', 'addr', 'show', 'to', `${subnet}.0/24`]).trim() === '') return subnet;
  }
  throw new Error('no free 10.77.n.0/24 subnet for a test network (250 in use)');
}

/** Creates hosts named `names` (addresses .1, .2, … in order) on a fresh bridge; removed in `t`'s teardown. */
export function createNetwork(t: Teardown, names: string[]): Network {
  const tag = process.pid % 100000;
  const subnet = freeSubnet(process.pid % 250);
  const bridge = `slbr${tag}`;
  const hosts: Record<string, Host> = {};
  const children: ChildProcess[] = [];
  const made: { bridge: boolean; ns: string[] } = { bridge: false, ns: [] };
  t.teardown(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
      ),
    );
    // the outside end first: deleting a namespace frees its veth pair only later, asynchronously
    for (const name of names) quietly(() => ip(['link', 'del', `slv${tag}${name}`]));
    for (const ns of made.ns) quietly(() => ip(['netns', 'del', ns]));
    if (made.bridge) quietly(() => ip(['link', 'del', bridge]));
  });
  ip(['link', 'add', 'name', bridge, 'type', 'bridge']);
  made.bridge = true;
  ip(['addr', 'add', `${subnet}.254/24`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
  names.forEach((name, i) => {
    const ns = `sluice-${tag}-${name}`;
    const outside = `slv${tag}${name}`;
    ip(['netns', 'add', ns]);
    made.ns.push(ns);
    ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['link', 'set', outside, 'master', bridge]);
    ip(['link', 'set', outside, 'up']);
    ip(['-n', ns, 'addr', 'add', `${subnet}.${i + 1}/24`, 'dev', 'eth0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    hosts[name] = { name, ns, address: `${subnet}.${i + 1}` };
  });
  const host = (name: string) => {
    const h = hosts[name];
    if (!h) throw new Error(`no host "${name}" in this network (${Object.keys(hosts).join(', ')})`);
    return h;
  };
  return {
    subnet,
    hosts,
    exec: (name, cmd, args) => ip(['netns', 'exec', host(name).ns, cmd, ...args]),
    spawn: (name, cmd, args, env = process.env) => {
      const c = spawn('ip', ['netns', 'exec', host(name).ns, cmd, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(c);
      return c;
    },
    linkDown: (name) => void ip(['-n', host(name).ns, 'link', 'set', 'eth0', 'down']),
    linkUp: (name) => void ip(['-n', host(name).ns, 'link', 'set', 'eth0', 'up']),
  };
}

/** Lines a child prints on stdout and stderr, and its `SLUICE_READY {json}` line once it serves. */
export function sluiceProcessOutput(
  child: ChildProcess,
  onLine: (line: string) => void,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let ready = false;
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!ready && l.startsWith('SLUICE_READY ')) {
        ready = true;
        resolve(JSON.parse(l.slice('SLUICE_READY '.length)));
      } else onLine(l);
    });
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, sig) => {
      if (!ready) reject(new Error(`process exited before it was ready (code ${code}, signal ${sig})`));
    });
  });
}
