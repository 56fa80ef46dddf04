/**
 * Task workers page (`#/taskmanagers`): one row per registered worker from `GET /taskmanagers` (id, data
 * address, slots used / total, CPU cores, memory, age of the last heartbeat — Flink sends the last
 * heartbeat's epoch ms under `timeSinceLastHeartbeat`).
 */
import { getJson } from './api.js';
import { fill, fmtBytes, fmtInt, h, table, td } from './dom.js';

export function mountTaskManagers(root) {
  const list = h('div', { 'data-testid': 'taskmanagers-list' });
  root.append(h('h1', {}, 'Task workers'), list);
  return {
    async refresh() {
      const { taskmanagers } = await getJson('/taskmanagers');
      const now = Date.now();
      const rows = taskmanagers.map((t) =>
        h(
          'tr',
          { class: 'tm-row', 'data-tm-id': t.id },
          td(t.id, 'mono'),
          td(t.path, 'mono'),
          td(`${t.slotsNumber - t.freeSlots} / ${t.slotsNumber}`, 'num'),
          td(fmtInt(t.hardware?.cpuCores), 'num'),
          td(fmtBytes(t.hardware?.physicalMemory), 'num'),
          td(fmtBytes(t.hardware?.freeMemory), 'num'),
          td(
            t.timeSinceLastHeartbeat > 0 ? `${((now - t.timeSinceLastHeartbeat) / 1000).toFixed(1)} s ago` : '–',
            'num',
          ),
        ),
      );
      const head = [
        'ID',
        'Path',
        { label: 'Slots used / total', cls: 'num' },
        { label: 'CPU cores', cls: 'num' },
        { label: 'Memory', cls: 'num' },
        { label: 'Free memory', cls: 'num' },
        { label: 'Last heartbeat', cls: 'num' },
      ];
      fill(list, rows.length ? table(head, rows) : h('p', { class: 'empty' }, 'No task worker is registered.'));
    },
  };
}
