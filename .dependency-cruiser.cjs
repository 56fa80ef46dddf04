/**
 * The layering of sluice, enforced by dependency-cruiser in `npm test` (`npm run lint:deps`).
 *
 * scripts/layers.cjs holds the allowed-imports table: each layer (a subfolder) may import itself and the
 * layers it lists, nothing else inside the repository; each row becomes a rule named `layer:<folder>`. Every
 * listed layer sits lower in the graph (docs/architecture.md §10 draws it), so the table is a DAG;
 * test/unit/layering.test.ts checks that it stays acyclic and that every subfolder of runtime/ and operators/
 * has a row. Fix a violation by moving the piece to the right layer or inverting the dependency (an interface
 * below, the implementation above), not by widening a row.
 *
 * Other rules: no import cycle between files; jobs/ import only the public package (`sluice`, `sluice/ml`,
 * `sluice/kafka`, `sluice/sources`, `sluice/platform`) and files of their own job folder or the shared job
 * helpers in jobs/; nothing imports test/; node:fs/net/child_process/worker_threads/os only inside
 * runtime/platform (clocks and timers are checked by Biome and scripts/check-nondeterminism.mjs).
 */
const { LAYERS } = require('./scripts/layers.cjs');

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const under = (layers) => `^(${layers.map(esc).join('|')})/`;
const REPO_CODE = '^(runtime|operators|checkpoints|jobs|test|bench|scripts)/';

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer:${layer}`,
  comment: `${layer} may import only ${allowed.length ? allowed.join(', ') : 'itself'} (docs/architecture.md §10)`,
  severity: 'error',
  from: { path: `^${esc(layer)}/` },
  to: { path: REPO_CODE, pathNot: under([layer, ...allowed]) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle between files (module initialisation order must be well defined)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...layerRules,
    {
      name: 'jobs-public-package-only',
      comment:
        'jobs import the public package (sluice, sluice/ml, sluice/kafka, sluice/sources, sluice/platform), never engine files',
      severity: 'error',
      from: { path: '^jobs/' },
      to: { dependencyTypes: ['local'], path: '^(runtime|operators|checkpoints|test|bench|scripts)/' },
    },
    {
      name: 'jobs-own-folder-only',
      comment: 'a job folder imports its own files and the shared job helpers in jobs/, not another job folder',
      severity: 'error',
      from: { path: '^jobs/([^/]+)/' },
      to: { path: '^jobs/[^/]+/', pathNot: '^jobs/$1/' },
    },
    {
      name: 'not-to-test',
      comment: 'nothing outside test/ imports test/ (tests and their support code are not part of the product)',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'nondeterminism-through-platform',
      comment:
        'files, sockets, processes, threads and the host are reached through runtime/platform (platform.files, platform.net, …)',
      severity: 'error',
      // runtime/diagnostics/process-metrics.ts observes this process's garbage collections (perf_hooks): a
      // measurement of the process itself, like process.memoryUsage, not a source of behaviour.
      from: {
        path: '^(runtime|operators|checkpoints|jobs)/',
        pathNot: '^runtime/platform/|^runtime/diagnostics/process-metrics[.]ts$',
      },
      to: {
        dependencyTypes: ['core'],
        dependencyTypesNot: ['type-only'],
        path: '^(node:)?(fs|fs/promises|net|child_process|worker_threads|os|dgram|cluster|timers|timers/promises|perf_hooks)$',
      },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves (a typo or a missing package.json "exports" entry)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
