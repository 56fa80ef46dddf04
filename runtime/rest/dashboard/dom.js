/**
 * DOM and formatting helpers shared by the pages: `h(tag, attrs, ...children)` for HTML elements,
 * `svg(tag, attrs, ...children)` for SVG elements, and number/time/size formatters.
 *
 * Invariants: text is always inserted as text nodes (never innerHTML), so REST data cannot inject markup;
 * attributes with null/undefined/false values are omitted; `on*` function attributes become listeners.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const svg = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  build(el, {}, children);
  return el;
}

export const badge = (state) => h('span', { class: `badge ${state}`, 'data-state': state }, state);

export function fmtInt(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '–';
  return Math.round(Number(n)).toLocaleString('en-US');
}

export function fmtNum(n, digits = 1) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtTime(ms) {
  if (!ms || ms < 0) return '–';
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toTimeString().slice(0, 8)}`;
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function fmtBytes(b) {
  if (b === null || b === undefined || b < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(b);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A table with a header row; `rows` are arrays of cells (strings, nodes, or {v, cls} objects). */
export function table(headers, rows, attrs = {}) {
  const th = headers.map((x) => (typeof x === 'string' ? h('th', {}, x) : h('th', { class: x.cls }, x.label)));
  return h('table', attrs, h('thead', {}, h('tr', {}, th)), h('tbody', {}, rows));
}

export const td = (v, cls) => h('td', { class: cls }, v);
