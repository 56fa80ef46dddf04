/**
 * Installs descriptors as live models and never lets a bad one stop the job. install() validates the
 * descriptor, fetches the bytes of a `location` descriptor (model-location.ts), verifies sha256, loads through
 * the factory registry (which schema-checks and warms up), and
 * returns a status record: 'accepted' (the model now serves under the store's policy) or 'rejected' with
 * the error code and reason, in which case the previous model keeps serving. Invariants: a model evicted
 * from the store is disposed only when no batch holds it (acquire/release reference counts); every
 * rejection is counted in ServingStats.
 */
import type { Clock } from '../../runtime/platform/clock.js';
import { SluiceError, isSluiceError } from '../../runtime/errors/index.js';
import { validateDescriptor, verifySha256, type ModelDescriptor } from './descriptor.js';
import type { ModelFactoryRegistry, ServingModel } from './model.js';
import { type LocationResolver, modelLocationResolver } from './model-location.js';
import { ModelStore, type SwitchPolicy } from './model-store.js';
import { ServingStats } from './stats.js';

export interface ModelStatusRecord {
  /** accepted/rejected at install; promoted/rolled-back by a canary rollout (rollout.ts). */
  status: 'accepted' | 'rejected' | 'promoted' | 'rolled-back';
  /** 'candidate' when a rollout installed the model next to the serving one. */
  role?: 'candidate';
  key: string;
  name: string;
  version: string;
  sha256: string;
  atMs: number;
  backend?: string;
  code?: string;
  reason?: string;
}

export interface ModelManagerOptions {
  registry: ModelFactoryRegistry;
  policy: SwitchPolicy;
  clock: Pick<Clock, 'nowMs'>;
  stats?: ServingStats;
  maxHistoryPerKey?: number;
  /** The job's feature schema: a model whose `training.featureSchema` differs is rejected. */
  featureSchema?: string[];
  /** Resolves `location` descriptors to bytes (default: file/http(s) with the default caps and cache). */
  resolveLocation?: LocationResolver;
  /** Called after a disposal failure; disposal errors never propagate. */
  onDisposeError?: (e: unknown) => void;
}

/** Rejects a model trained on other features than the job extracts (both lists compared in order). */
function checkFeatureSchema(d: ModelDescriptor, expected: string[]): void {
  const declared = d.training?.featureSchema;
  if (declared && declared.length === expected.length && declared.every((s, i) => s === expected[i])) return;
  throw new SluiceError(
    'MODEL_SCHEMA_MISMATCH',
    `model ${d.name}@${d.version} was trained on features ${declared ? JSON.stringify(declared) : '(none declared)'}, this job extracts ${JSON.stringify(expected)}`,
  );
}

let shared: LocationResolver | undefined;
const defaultResolver = () => (shared ??= modelLocationResolver());

export class ModelManager {
  readonly store: ModelStore<ServingModel>;
  readonly stats: ServingStats;
  private readonly refs = new Map<ServingModel, number>();
  private readonly evicted = new Set<ServingModel>();
  disposedCount = 0;

  constructor(private readonly opts: ModelManagerOptions) {
    this.stats = opts.stats ?? new ServingStats();
    this.store = new ModelStore<ServingModel>({
      policy: opts.policy,
      maxHistoryPerKey: opts.maxHistoryPerKey,
      onEvict: (m) => this.onEvict(m),
    });
  }

  async install(key: string, descriptor: unknown): Promise<ModelStatusRecord> {
    const d = descriptor as Partial<ModelDescriptor> | null;
    const base = {
      key,
      name: String(d?.name ?? '?'),
      version: String(d?.version ?? '?'),
      sha256: String(d?.sha256 ?? ''),
    };
    try {
      validateDescriptor(descriptor);
      if (this.opts.featureSchema) checkFeatureSchema(descriptor, this.opts.featureSchema);
      if (descriptor.data) verifySha256(descriptor, descriptor.data);
      const resolved = descriptor.data
        ? descriptor
        : { ...descriptor, data: await (this.opts.resolveLocation ?? defaultResolver())(descriptor) };
      const model = await this.opts.registry.create(resolved);
      const now = this.opts.clock.nowMs();
      this.store.install(key, model, descriptor.validFrom, now);
      this.stats.forModel(descriptor, model.backend, now);
      return { status: 'accepted', ...base, atMs: now, backend: model.backend };
    } catch (e) {
      const now = this.opts.clock.nowMs();
      const code = isSluiceError(e) ? e.code : 'MODEL_LOAD_FAILED';
      const reason = (e as Error)?.message ?? String(e);
      this.stats.recordRejected({ name: base.name, version: base.version, code, reason, atMs: now });
      return { status: 'rejected', ...base, atMs: now, code, reason };
    }
  }

  select(key: string, timestampMs: number): ServingModel | undefined {
    return this.store.select(key, timestampMs);
  }

  /** Holds a model for an in-flight batch; pair with release(). */
  acquire(m: ServingModel): void {
    this.refs.set(m, (this.refs.get(m) ?? 0) + 1);
  }

  release(m: ServingModel): void {
    const n = (this.refs.get(m) ?? 1) - 1;
    if (n > 0) {
      this.refs.set(m, n);
      return;
    }
    this.refs.delete(m);
    if (this.evicted.delete(m)) this.dispose(m);
  }

  async close(): Promise<void> {
    this.store.clear();
  }

  private onEvict(m: ServingModel): void {
    if ((this.refs.get(m) ?? 0) > 0) this.evicted.add(m);
    else this.dispose(m);
  }

  private dispose(m: ServingModel): void {
    this.disposedCount++;
    m.dispose().catch((e) => this.opts.onDisposeError?.(e));
  }
}
