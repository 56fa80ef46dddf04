/**
 * Exceptions of a job from `GET /jobs/:id/exceptions` (JobExceptionsInfoWithHistory): the exception history
 * newest first — time, exception name, task and worker when known, with the stack trace in a collapsible
 * block — or the root exception alone when there is no history.
 */
import { fill, fmtTime, h } from './dom.js';

export function renderExceptions(el, exc) {
  const entries = exc?.exceptionHistory?.entries || [];
  if (entries.length === 0 && !exc?.['root-exception'])
    return fill(el, h('p', { class: 'empty', 'data-testid': 'no-exceptions' }, 'No exceptions.'));
  const items = entries.length
    ? entries.map((e) => {
        const first = String(e.stacktrace || e.exceptionName || '').split('\n')[0];
        const where = [e.taskName, e.endpoint || e.location, e.taskManagerId].filter(Boolean).join(' · ');
        return h(
          'div',
          { class: 'card exception' },
          h(
            'div',
            { class: 'meta' },
            h('span', {}, fmtTime(e.timestamp)),
            h('span', {}, e.exceptionName || ''),
            where ? h('span', {}, where) : null,
          ),
          h('details', {}, h('summary', {}, first), h('pre', { class: 'stack' }, e.stacktrace || '')),
        );
      })
    : [
        h(
          'div',
          { class: 'card exception' },
          h('div', { class: 'meta' }, fmtTime(exc.timestamp)),
          h('pre', { class: 'stack' }, exc['root-exception']),
        ),
      ];
  const more = exc.exceptionHistory?.truncated ? h('p', { class: 'empty' }, 'Older exceptions were truncated.') : null;
  return fill(el, items, more);
}
