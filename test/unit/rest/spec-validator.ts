/**
 * A small validator for the subset of OpenAPI 3.0 schema the saved Flink spec uses: $ref, type, properties,
 * additionalProperties, items, enum, pattern, required, allOf, oneOf, discriminator. It also reports
 * properties the schema does not declare ("extras"), so tests catch misspelled field names.
 *
 * Deviations applied (docs/flink-notes.md §1.4, match the server not the spec): null is accepted for any value
 * (Flink's generator never marks nullability); ResourceID has no hex pattern; ProcessingMode is lower
 * case; metrics are bare arrays; JobResult and JobConfigInfo use their custom serializers' names; SerializedThrowable carries
 * `class`, `stack-trace` and `message` as well; `features.web-profiler` (Flink 1.19's DashboardConfiguration
 * sends it) and `endpoint` next to the deprecated `host` of subtask, subtask-time, accumulator and vertex
 * task-manager rows (Flink ≥ 1.16 sends both), and of exception history entries (next to `location`).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Schema = Record<string, any>;
// shared/ sits beside the repository (the CI clone has it there too).
const SPEC_PATH = new URL('../../fixtures/flink/rest_v1_dispatcher.yml', import.meta.url);

export interface ValidationReport {
  errors: string[];
  extras: string[];
}

export class SpecValidator {
  readonly spec: Schema;
  constructor(path = SPEC_PATH) {
    this.spec = parse(readFileSync(path, 'utf8'));
    const s = this.spec.components.schemas as Record<string, Schema>;
    delete s.ResourceID.pattern;
    s.ProcessingMode.enum = ['at_least_once', 'exactly_once'];
    s.Features.properties['web-profiler'] = { type: 'boolean' };
    for (const n of [
      'SubtaskExecutionAttemptDetailsInfo',
      'SubtaskTimeInfo',
      'SubtaskAccumulatorsInfo',
      'JobVertexTaskManagerInfo',
    ])
      s[n].properties.endpoint = { type: 'string' };
    for (const n of ['ExceptionInfo', 'RootExceptionInfo']) s[n].properties.endpoint = { type: 'string' };
    s.SerializedThrowable.properties = {
      ...s.SerializedThrowable.properties,
      class: { type: 'string' },
      'stack-trace': { type: 'string' },
      message: { type: 'string' },
    };
    s.JobResult = {
      type: 'object',
      properties: {
        id: { $ref: '#/components/schemas/JobID' },
        'application-status': { $ref: '#/components/schemas/ApplicationStatus' },
        'accumulator-results': { type: 'object' },
        'net-runtime': { type: 'integer' },
        'failure-cause': { $ref: '#/components/schemas/SerializedThrowable' },
      },
    };
    // JobConfigInfo's custom serializer writes jid / name / execution-config.
    s.JobConfigInfo = {
      type: 'object',
      properties: {
        jid: { $ref: '#/components/schemas/JobID' },
        name: { type: 'string' },
        'execution-config': { type: 'object' },
      },
    };
    s.MetricCollectionResponseBody = { type: 'array', items: { $ref: '#/components/schemas/Metric' } };
    s.AggregatedMetricsResponseBody = {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          min: { type: 'number' },
          max: { type: 'number' },
          avg: { type: 'number' },
          sum: { type: 'number' },
        },
      },
    };
  }

  /** The 200/202 response schema of `method path` (path in the spec's `{param}` form), if the spec has one. */
  responseSchema(method: string, path: string): Schema | undefined {
    const op = this.spec.paths[path]?.[method.toLowerCase()];
    if (!op) return undefined;
    for (const code of ['200', '202']) {
      const s = op.responses?.[code]?.content?.['application/json']?.schema;
      if (s) return s;
    }
    return undefined;
  }

  hasOperation(method: string, path: string): boolean {
    return Boolean(this.spec.paths[path]?.[method.toLowerCase()]);
  }

  validate(value: unknown, schema: Schema): ValidationReport {
    const r: ValidationReport = { errors: [], extras: [] };
    this.check(value, schema, '$', r, false);
    return r;
  }

  private deref(s: Schema): Schema {
    let x = s;
    while (x.$ref) x = this.spec.components.schemas[String(x.$ref).replace('#/components/schemas/', '')];
    return x;
  }

  private declared(s: Schema, skipDisc = false): Set<string> {
    const d = this.deref(s);
    const out = new Set<string>(Object.keys(d.properties ?? {}));
    for (const part of d.allOf ?? []) for (const k of this.declared(part, true)) out.add(k);
    if (!skipDisc && d.discriminator)
      for (const ref of Object.values(d.discriminator.mapping ?? {}))
        for (const k of this.declared({ $ref: ref }, true)) out.add(k);
    return out;
  }

  private check(v: unknown, schema: Schema, at: string, r: ValidationReport, skipDisc: boolean): void {
    const s = this.deref(schema);
    if (v === null) return;
    if (!skipDisc && s.discriminator && v && typeof v === 'object') {
      const tag = (v as Record<string, unknown>)[s.discriminator.propertyName];
      const ref = s.discriminator.mapping?.[String(tag)];
      if (ref) return this.check(v, { $ref: ref }, at, r, true);
    }
    for (const part of s.allOf ?? []) this.check(v, part, at, { errors: r.errors, extras: [] }, true);
    if (s.oneOf) {
      const ok = s.oneOf.some((alt: Schema) => this.validate(v, alt).errors.length === 0);
      if (!ok) r.errors.push(`${at}: matches none of oneOf`);
      return;
    }
    if (s.enum && !s.enum.includes(v)) r.errors.push(`${at}: ${JSON.stringify(v)} not in ${s.enum.join('|')}`);
    switch (s.type) {
      case 'string':
        if (typeof v !== 'string') r.errors.push(`${at}: expected string, got ${typeof v}`);
        else if (s.pattern && !new RegExp(`^(?:${s.pattern})$`).test(v))
          r.errors.push(`${at}: "${v}" does not match ${s.pattern}`);
        return;
      case 'integer':
        if (!Number.isInteger(v)) r.errors.push(`${at}: expected integer, got ${JSON.stringify(v)}`);
        return;
      case 'number':
        if (typeof v !== 'number') r.errors.push(`${at}: expected number, got ${JSON.stringify(v)}`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') r.errors.push(`${at}: expected boolean, got ${JSON.stringify(v)}`);
        return;
      case 'array':
        if (!Array.isArray(v)) r.errors.push(`${at}: expected array`);
        else if (s.items) v.forEach((x, i) => this.check(x, s.items, `${at}[${i}]`, r, false));
        return;
    }
    if (s.type === 'object' || s.properties || s.additionalProperties) {
      if (typeof v !== 'object' || Array.isArray(v)) return void r.errors.push(`${at}: expected object`);
      const o = v as Record<string, unknown>;
      for (const k of s.required ?? []) if (!(k in o)) r.errors.push(`${at}: missing required ${k}`);
      const declared = this.declared(schema, skipDisc);
      for (const [k, x] of Object.entries(o)) {
        const ps = s.properties?.[k] ?? this.findInAllOf(s, k);
        if (ps) this.check(x, ps, `${at}.${k}`, r, false);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object')
          this.check(x, s.additionalProperties, `${at}.${k}`, r, false);
        else if (declared.size > 0 && !declared.has(k)) r.extras.push(`${at}.${k}`);
      }
    }
  }

  private findInAllOf(s: Schema, k: string): Schema | undefined {
    for (const part of s.allOf ?? []) {
      const d = this.deref(part);
      if (d.properties?.[k]) return d.properties[k];
    }
    return undefined;
  }
}
