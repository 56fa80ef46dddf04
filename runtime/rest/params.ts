/**
 * Request parameter parsing with Flink's rules: 32-hex job/vertex/trigger ids (400 otherwise),
 * non-negative integers, booleans, comma lists, `key:value` label filters, and `subtasks=1,3,5-9` ranges.
 */
import type { FastifyRequest } from 'fastify';
import { badRequest } from './rest-errors.js';

export const HEX32 = /^[0-9a-f]{32}$/;

export function params(req: FastifyRequest): Record<string, string> {
  return req.params as Record<string, string>;
}

export function query(req: FastifyRequest): Record<string, string | undefined> {
  const q = req.query as Record<string, string | string[] | undefined>;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(q ?? {})) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

export function hexId(req: FastifyRequest, name: 'jobid' | 'vertexid' | 'triggerid', label = name): string {
  const v = params(req)[name] ?? '';
  if (!HEX32.test(v))
    throw badRequest(
      `Bad request, could not parse parameters: invalid ${label} "${v}": expected 32 lower-case hexadecimal characters.`,
    );
  return v;
}

export function optionalInt(raw: string | undefined, name: string, min = 0): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || raw.trim() !== raw)
    throw badRequest(`Bad request, could not parse parameters: ${name} must be an integer ≥ ${min}, got "${raw}".`);
  return n;
}

export function optionalBool(raw: unknown, name: string): boolean | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw badRequest(`Bad request, could not parse parameters: ${name} must be true or false, got "${String(raw)}".`);
}

export function commaList(raw: string | undefined): string[] {
  return raw === undefined
    ? []
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

export function labelFilter(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of commaList(raw)) {
    const i = kv.indexOf(':');
    if (i <= 0)
      throw badRequest(
        `Bad request, could not parse parameters: failureLabelFilter entries are key:value, got "${kv}".`,
      );
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** `"1,3,5-9"` → the set of indexes; undefined when absent. */
export function indexRanges(raw: string | undefined, name: string): Set<number> | undefined {
  if (raw === undefined || raw === '') return undefined;
  const out = new Set<number>();
  for (const part of commaList(raw)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m)
      throw badRequest(
        `Bad request, could not parse parameters: ${name} must be integers or ranges like 5-9, got "${part}".`,
      );
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 100_000)
      throw badRequest(`Bad request, could not parse parameters: bad range "${part}" in ${name}.`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return out;
}

export function body(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || b === '') return {};
  if (typeof b !== 'object' || Array.isArray(b))
    throw badRequest('Bad request: the request body must be a JSON object.');
  return b as Record<string, unknown>;
}

export function optionalString(b: Record<string, unknown>, name: string): string | undefined {
  const v = b[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`Bad request: field "${name}" must be a string.`);
  return v;
}

export function optionalEnum<T extends string>(v: unknown, name: string, values: readonly T[], dflt: T): T {
  if (v === undefined || v === null || v === '') return dflt;
  const hit = values.find((x) => x === String(v).toUpperCase());
  if (!hit) throw badRequest(`Bad request: field "${name}" must be one of ${values.join(', ')}, got "${String(v)}".`);
  return hit;
}

export function optionalTriggerId(b: Record<string, unknown>): string | undefined {
  const v = optionalString(b, 'triggerId');
  if (v !== undefined && !HEX32.test(v))
    throw badRequest(`Bad request: triggerId must be 32 lower-case hexadecimal characters, got "${v}".`);
  return v;
}
