/**
 * Savepoint and Cancel buttons of a job page. Savepoint: `POST /jobs/:id/savepoints` with
 * `{"target-directory": …}` when a directory is typed (else `{}`: the cluster's `state.savepoints.dir`),
 * then polls `GET /jobs/:id/savepoints/:triggerid` every 500 ms until COMPLETED and shows the location or
 * the failure cause. Cancel: asks for confirmation, then `PATCH /jobs/:id?mode=cancel` (202).
 *
 * Invariants: the elements are created once per job page and kept across refreshes (refreshes only
 * enable/disable the buttons), so results stay visible and clicks are never lost to a re-render; the
 * buttons are enabled only while the job is RUNNING; one savepoint poll at a time per page.
 */
import { send, getJson } from './api.js';
import { h } from './dom.js';

const POLL_MS = 500;
const POLL_LIMIT_MS = 10 * 60_000;

export function createJobActions(jobId) {
  const dir = h('input', {
    type: 'text',
    id: 'savepoint-dir',
    'data-testid': 'savepoint-dir',
    placeholder: 'savepoint directory (optional)',
  });
  const spButton = h('button', { id: 'btn-savepoint', 'data-testid': 'btn-savepoint', disabled: true }, 'Savepoint');
  const cancelButton = h(
    'button',
    { id: 'btn-cancel', class: 'danger', 'data-testid': 'btn-cancel', disabled: true },
    'Cancel job',
  );
  const spResult = h('span', { class: 'msg', 'data-testid': 'savepoint-result' });
  const cancelResult = h('span', { class: 'msg', 'data-testid': 'cancel-result' });
  let running = false;
  let savepointBusy = false;
  let alive = true;

  const show = (el, text, kind) => {
    el.textContent = text;
    el.className = `msg ${kind || ''}`;
  };
  const enable = () => {
    spButton.disabled = !running || savepointBusy;
    cancelButton.disabled = !running;
  };

  async function pollSavepoint(triggerId) {
    const deadline = Date.now() + POLL_LIMIT_MS;
    while (alive && Date.now() < deadline) {
      const r = await getJson(`/jobs/${jobId}/savepoints/${triggerId}`);
      if (r.status && r.status.id === 'COMPLETED') {
        const op = r.operation || {};
        if (op['failure-cause'])
          throw new Error(`Savepoint failed: ${op['failure-cause'].message || op['failure-cause'].class}`);
        return op.location;
      }
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
    throw new Error('Savepoint still in progress; check the checkpoint history.');
  }

  spButton.addEventListener('click', async () => {
    savepointBusy = true;
    enable();
    show(spResult, 'Savepoint in progress…');
    try {
      const target = dir.value.trim();
      const { 'request-id': triggerId } = await send(
        'POST',
        `/jobs/${jobId}/savepoints`,
        target ? { 'target-directory': target } : {},
      );
      const location = await pollSavepoint(triggerId);
      spResult.dataset.location = location || '';
      show(spResult, `Savepoint completed. Path: ${location}`, 'ok');
    } catch (e) {
      show(spResult, e.message, 'error');
    } finally {
      savepointBusy = false;
      enable();
    }
  });

  cancelButton.addEventListener('click', async () => {
    if (!window.confirm(`Cancel job ${jobId}?`)) return;
    cancelButton.disabled = true;
    try {
      await send('PATCH', `/jobs/${jobId}?mode=cancel`);
      show(cancelResult, 'Cancellation requested.', 'ok');
    } catch (e) {
      show(cancelResult, e.message, 'error');
      enable();
    }
  });

  return {
    element: h('div', { class: 'actions' }, dir, spButton, spResult, cancelButton, cancelResult),
    /** Called on every refresh with the job's state. */
    update(state) {
      running = state === 'RUNNING';
      enable();
    },
    dispose() {
      alive = false;
    },
  };
}
