/**
 * `GET /metrics`: every metric the job manager knows, in Prometheus' text format (prom-client), named as
 * Flink's Prometheus reporter names them: `flink_jobmanager_<metric>`, `flink_jobmanager_job_<metric>{job_id,
 * job_name}`, `flink_taskmanager_job_task_<metric>{job_id, task_id, subtask_index}`, plus the model-serving
 * metrics `sluice_model_<metric>{job_id, model, version, subtask_index}`. Values are the latest reported
 * (task metrics arrive with worker heartbeats).
 *
 * Invariant: only numeric values are exported; a fresh registry per scrape, so ended jobs disappear.
 */
import { Gauge, Registry } from 'prom-client';
import type { RouteContext } from './route-context.js';

const sanitize = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');

export function registerPrometheusRoute({ app, facade }: RouteContext): void {
  app.get('/metrics', async (_req, reply) => {
    const reg = new Registry();
    const gauges = new Map<string, Gauge>();
    const set = (name: string, labels: Record<string, string>, value: unknown) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) return;
      const n = sanitize(name);
      let g = gauges.get(n);
      if (!g) {
        g = new Gauge({ name: n, help: n, labelNames: Object.keys(labels), registers: [reg] });
        gauges.set(n, g);
      }
      g.set(labels, value);
    };
    for (const [k, v] of Object.entries((await facade.metrics({ kind: 'jobmanager' })) ?? {}))
      set(`flink_jobmanager_${k}`, {}, v);
    for (const job of await facade.jobsOverview()) {
      const jobId = String(job.jid);
      const labels = { job_id: jobId, job_name: String(job.name) };
      for (const [k, v] of Object.entries((await facade.metrics({ kind: 'job', jobId })) ?? {}))
        set(`flink_jobmanager_job_${k}`, labels, v);
      if (job.state !== 'RUNNING') continue;
      const details = (await facade.jobDetails(jobId)) as { vertices?: Array<{ id: string }> } | undefined;
      for (const v of details?.vertices ?? []) {
        for (const [k, val] of Object.entries(
          (await facade.metrics({ kind: 'vertex', jobId, vertexId: v.id })) ?? {},
        )) {
          const dot = k.indexOf('.');
          set(
            `flink_taskmanager_job_task_${k.slice(dot + 1)}`,
            { job_id: jobId, task_id: v.id, subtask_index: k.slice(0, dot) },
            val,
          );
        }
      }
      for (const m of (await facade.jobModels(jobId)) ?? []) {
        const l = { job_id: jobId, model: m.name, version: m.version, subtask_index: String(m.subtask ?? '') };
        set('sluice_model_usage', l, m.usage);
        set('sluice_model_failures', l, m.failures);
        set('sluice_model_batch_duration_p50_ms', l, m.durationMs.p50);
        set('sluice_model_batch_duration_p99_ms', l, m.durationMs.p99);
        set('sluice_model_batch_size_avg', l, m.batchSize.avg);
        set('sluice_model_wins', l, m.wins);
      }
    }
    return reply.type(reg.contentType).send(await reg.metrics());
  });
}
