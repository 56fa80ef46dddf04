/**
 * The allowed-imports table of sluice's layers, read by .dependency-cruiser.cjs (which turns each row into a
 * rule) and by test/unit/layering.test.ts (which checks that the table is acyclic and covers every subfolder).
 * Each layer (a subfolder) may import itself and the layers it lists, nothing else inside the repository.
 * docs/architecture.md §10 draws the same graph.
 */
const FOUNDATION = ['runtime/errors', 'runtime/platform'];
const CONTRACTS = [...FOUNDATION, 'runtime/api', 'runtime/config'];
const OPERATORS = [
  'operators/core',
  'operators/joins',
  'operators/windows',
  'operators/watermarks',
  'operators/sinks',
  'operators/ml',
  'operators/sources',
  'operators/connectors',
  'operators/async',
];
const ENGINE = [
  ...CONTRACTS,
  'runtime/keygroups',
  'runtime/rpc',
  'runtime/state',
  'runtime/graph',
  'checkpoints',
  'runtime/rest',
  'runtime/diagnostics',
  ...OPERATORS,
  'runtime/task',
  'runtime/network',
  'runtime/datastream',
  'runtime/executor',
  'runtime/bundle',
  'runtime/ha',
];

/** layer → the layers it may import, bottom to top. */
const LAYERS = {
  // foundation: errors and every source of nondeterminism
  'runtime/errors': [],
  'runtime/platform': [],
  // contracts: the API types operators and the runtime agree on, configuration
  'runtime/api': ['runtime/errors'],
  'runtime/config': FOUNDATION,
  // engine services
  'runtime/keygroups': CONTRACTS,
  'runtime/rpc': CONTRACTS,
  'runtime/state': [...CONTRACTS, 'runtime/keygroups'],
  'runtime/graph': [...CONTRACTS, 'runtime/keygroups'],
  checkpoints: [...CONTRACTS, 'runtime/keygroups', 'runtime/state'],
  'runtime/rest': CONTRACTS,
  // process logs, thread dumps, CPU profiles and memory figures of this process
  'runtime/diagnostics': CONTRACTS,
  // high availability: leader election and retrieval, the job store, checkpoint pointers (ZooKeeper or none)
  'runtime/ha': CONTRACTS,
  // operators: implement runtime/api contracts; sources and connectors also carry model descriptors
  'operators/core': CONTRACTS,
  'operators/joins': CONTRACTS,
  'operators/windows': CONTRACTS,
  'operators/watermarks': CONTRACTS,
  'operators/sinks': CONTRACTS,
  'operators/ml': CONTRACTS,
  'operators/sources': [...CONTRACTS, 'operators/ml'],
  'operators/connectors': [...CONTRACTS, 'operators/ml'],
  'operators/async': CONTRACTS,
  // tasks run operator chains; source tasks use the watermark components
  'runtime/task': [...CONTRACTS, 'runtime/keygroups', 'runtime/state', 'runtime/graph', 'operators/watermarks'],
  // the data plane implements the task's channel contract
  'runtime/network': [...CONTRACTS, 'runtime/task'],
  // builders: the DataStream API builds stream graphs of operators
  'runtime/datastream': [...CONTRACTS, 'runtime/keygroups', 'runtime/graph', ...OPERATORS],
  // local execution runs a built environment's tasks in this process
  'runtime/executor': [
    ...CONTRACTS,
    'runtime/keygroups',
    'runtime/state',
    'runtime/graph',
    'checkpoints',
    'runtime/task',
    'runtime/datastream',
  ],
  'runtime/bundle': [...CONTRACTS, 'runtime/datastream'],
  // package entry points (package.json "exports"): re-export the public pieces
  'runtime/exports': [...CONTRACTS, ...OPERATORS, 'runtime/datastream', 'runtime/executor', 'runtime/bundle'],
  // processes
  'runtime/taskworker': ENGINE,
  'runtime/jobmanager': ENGINE,
  'runtime/cli': [...ENGINE, 'runtime/jobmanager', 'runtime/taskworker'],
};

module.exports = { LAYERS };
