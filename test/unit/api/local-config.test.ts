import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { CONFIG_FILE_ENV } from '../../../runtime/config/index.js';
import { startLocally } from '../../../runtime/executor/local-executor.js';

interface Teardown {
  teardown(fn: () => void): void;
}

/** A temp directory holding `cluster.yaml` with `yaml`; removed in teardown. */
function clusterYaml(t: Teardown, yaml: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-local-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, yaml);
  return { dir, file };
}

function withEnvVar(t: Teardown, value: string | undefined): void {
  const before = process.env[CONFIG_FILE_ENV];
  if (value === undefined) delete process.env[CONFIG_FILE_ENV];
  else process.env[CONFIG_FILE_ENV] = value;
  t.teardown(() => {
    if (before === undefined) delete process.env[CONFIG_FILE_ENV];
    else process.env[CONFIG_FILE_ENV] = before;
  });
}

/** A source at a bounded rate (about 0.4 s of input) into a sink: long enough for a few 30 ms checkpoints. */
function pipeline(env: StreamExecutionEnvironment): StreamExecutionEnvironment {
  env
    .fromSource(
      new DataGeneratorSource((i: number) => i, 600, { recordsPerSecond: 1500, batchSize: 20 }),
      undefined,
      'gen',
    )
    .uid('gen')
    .map((i: number) => i + 1)
    .uid('plus-one')
    .sinkTo({ createWriter: () => ({ write() {} }) })
    .uid('sink');
  return env;
}

const CONFIG = 'parallelism.default: 3\npipeline.max-parallelism: 64\nexecution.checkpointing.interval: 30 ms\n';

t.test('a local run reads the cluster.yaml that $SLUICE_CONFIG_FILE names', async (t) => {
  const { file } = clusterYaml(t, CONFIG);
  withEnvVar(t, file);
  const job = await startLocally(pipeline(StreamExecutionEnvironment.getExecutionEnvironment()), 'from env var');
  await job.result;
  const gen = job.jobGraph.vertices.find((v) => v.isSource)!;
  t.equal(gen.parallelism, 3, 'parallelism.default applies to a program that sets none');
  t.equal(gen.maxParallelism, 64, 'pipeline.max-parallelism applies');
  t.ok(
    job.checkpoints.completed.length >= 1,
    `execution.checkpointing.interval enables checkpoints (${job.checkpoints.completed.length} completed)`,
  );
});

t.test("the program's own environment settings win over cluster.yaml", async (t) => {
  const { file } = clusterYaml(t, CONFIG);
  withEnvVar(t, file);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2).setMaxParallelism(16);
  const job = await startLocally(pipeline(env), 'env wins');
  await job.result;
  const gen = job.jobGraph.vertices.find((v) => v.isSource)!;
  t.equal(gen.parallelism, 2);
  t.equal(gen.maxParallelism, 16);
});

t.test('without the variable, ./cluster.yaml in the working directory is read, as the CLI does', async (t) => {
  const { dir } = clusterYaml(t, 'parallelism.default: 2\n');
  withEnvVar(t, undefined);
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const job = await startLocally(pipeline(StreamExecutionEnvironment.getExecutionEnvironment()), 'from cwd');
  await job.result;
  t.equal(job.jobGraph.vertices.find((v) => v.isSource)!.parallelism, 2);
  t.equal(job.checkpoints.completed.length, 0, 'no interval configured: checkpointing stays off');
});

t.test('a cluster.yaml value sluice does not implement fails the local run, naming the key', async (t) => {
  const { file } = clusterYaml(t, 'execution.checkpointing.unaligned.enabled: true\n');
  withEnvVar(t, file);
  await t.rejects(pipeline(StreamExecutionEnvironment.getExecutionEnvironment()).execute('refused'), {
    code: 'CONFIG_UNSUPPORTED',
    message: /execution\.checkpointing\.unaligned\.enabled: true \(supported: false\)/,
  });
});
