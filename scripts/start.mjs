// `npm start`: runs the taxi job (jobs/taxi/job.ts) with `sluice run -p 2` into a fresh run directory,
// out/taxi/run-<UTC time>/, so a second start neither loads the models the first one trained nor adds to its
// outputs; out/taxi/latest points to the newest run. Arguments after `npm start --` go to the job
// (`npm start -- --kafka localhost:9092`). Ctrl-C reaches the CLI, which cancels the job and stops the mini
// cluster; this script then exits with the CLI's code.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const base = 'out/taxi';
const jobArgs = process.argv.slice(2);
const kafka = jobArgs.includes('--kafka'); // topics instead of files: the job does not use its output directory
const runDir = kafka ? base : freshRunDir();
process.stderr.write(
  kafka
    ? 'Outputs: topics taxi.* (predictions, mae, models-published, no-model; models on taxi.models). Checkpoints: .sluice/checkpoints/<job id>/\n'
    : `Outputs: ${runDir}/ (predictions, mae, models, models-published, no-model; columns in jobs/README.md), also reachable as ${base}/latest. Checkpoints: .sluice/checkpoints/<job id>/\n`,
);
const cli = spawn(
  process.execPath,
  ['dist/runtime/cli/main.js', 'run', '-p', '2', 'jobs/taxi/job.ts', runDir, ...jobArgs],
  {
    stdio: 'inherit',
  },
);
// The terminal sends Ctrl-C to the CLI as well; it cancels the job and stops its processes before exiting.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => cli.kill('SIGTERM'));
cli.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** out/taxi/run-<UTC time>[-n], created empty; out/taxi/latest is pointed at it. */
function freshRunDir() {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z'); // 20261207T012903Z
  mkdirSync(base, { recursive: true });
  for (let n = 1; ; n++) {
    const name = n === 1 ? `run-${stamp}` : `run-${stamp}-${n}`;
    try {
      mkdirSync(join(base, name));
    } catch (e) {
      if (e.code === 'EEXIST') continue;
      throw e;
    }
    const latest = join(base, 'latest');
    rmSync(latest, { force: true });
    symlinkSync(name, latest);
    return join(base, name);
  }
}
