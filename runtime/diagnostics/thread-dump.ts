/**
 * Flink's `ThreadDumpInfo` (`{threadInfos: [{threadName, stringifiedThreadInfo}]}`) built from Node's
 * diagnostic report (`process.report.getReport()`): a Node process has one JavaScript thread, so the
 * "threads" are what an operator needs to see where it is stuck — the JavaScript stack, the native stack,
 * the libuv handles (sockets, timers, file watchers: what keeps the loop alive), the V8 heap spaces, the
 * resource usage, and each worker thread's JavaScript stack.
 *
 * Invariant: only those sections leave the process — never the report's environment variables, command
 * line or shared-object list (they may carry secrets such as SLUICE_SECRET or `-D` values).
 */

interface Report {
  javascriptStack?: { message?: string; stack?: string[] };
  nativeStack?: Array<{ pc: string; symbol: string }>;
  javascriptHeap?: Record<string, unknown> & {
    heapSpaces?: Record<string, { memorySize: number; committedMemory: number; used: number; available: number }>;
  };
  libuv?: Array<Record<string, unknown>>;
  resourceUsage?: Record<string, unknown>;
  workers?: Report[];
  header?: { threadId?: number; nodejsVersion?: string; osName?: string };
}

export interface ThreadInfoJson {
  threadName: string;
  stringifiedThreadInfo: string;
}

const mb = (n: unknown) => `${(Number(n) / 1048576).toFixed(1)} MB`;

function jsStack(name: string, r: Report): ThreadInfoJson {
  const frames = (r.javascriptStack?.stack ?? []).map((f) => `\t${f}`).join('\n');
  return { threadName: name, stringifiedThreadInfo: `"${name}" JavaScript RUNNABLE\n${frames}\n` };
}

export function threadDump(): { threadInfos: ThreadInfoJson[] } {
  const r = process.report.getReport() as unknown as Report;
  const infos: ThreadInfoJson[] = [jsStack('main', r)];
  infos.push({
    threadName: 'native stack',
    stringifiedThreadInfo: `"native stack"\n${(r.nativeStack ?? []).map((f) => `\tat ${f.symbol} (${f.pc})`).join('\n')}\n`,
  });
  const handles = (r.libuv ?? []).map((h) => {
    const { type, is_active, is_referenced, ...rest } = h;
    const detail = Object.entries(rest)
      .filter(([k]) => k !== 'address')
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    return `\t${String(type)}${is_active ? ' active' : ''}${is_referenced ? ' ref' : ''}${detail ? ` ${detail}` : ''}`;
  });
  infos.push({
    threadName: 'libuv event loop',
    stringifiedThreadInfo: `"libuv event loop" ${handles.length} handle(s)\n${handles.join('\n')}\n`,
  });
  const heap = r.javascriptHeap ?? {};
  const spaces = Object.entries(heap.heapSpaces ?? {}).map(
    ([name, s]) => `\t${name}: used ${mb(s.used)} of ${mb(s.committedMemory)} committed, ${mb(s.available)} available`,
  );
  infos.push({
    threadName: 'V8 heap',
    stringifiedThreadInfo:
      `"V8 heap" used ${mb(heap.usedMemory)} of ${mb(heap.totalMemory)}, limit ${mb(heap.memoryLimit)}, ` +
      `external ${mb(heap.externalMemory)}\n${spaces.join('\n')}\n`,
  });
  const ru = r.resourceUsage ?? {};
  infos.push({
    threadName: 'resource usage',
    stringifiedThreadInfo: `"resource usage"\n${Object.entries(ru)
      .filter(([, v]) => typeof v !== 'object')
      .map(([k, v]) => `\t${k}=${String(v)}`)
      .join('\n')}\n`,
  });
  (r.workers ?? []).forEach((w, i) => infos.push(jsStack(`worker thread ${w.header?.threadId ?? i + 1}`, w)));
  return { threadInfos: infos };
}
