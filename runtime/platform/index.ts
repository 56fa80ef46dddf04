/**
 * runtime/platform: every source of nondeterminism sluice uses — clock and timers, randomness, sockets,
 * files, object storage (S3), child processes and worker threads, the host's size — is reached through this module so a whole
 * cluster could later run in a seeded simulator. Engine modules import `platform` from here instead of
 * touching node:fs/net/child_process/worker_threads or Date.now/setTimeout directly (a dependency-cruiser
 * rule and a Biome rule enforce it; docs/architecture.md §10). Each member is a narrow set of functions,
 * never a whole Node module.
 */
import { systemClock, type Clock } from './clock.js';
import { nodeFiles, type Files } from './files.js';
import { nodeNet, type Net } from './net.js';
import { nodeHost, nodeProcesses, type Host, type Processes } from './processes.js';
import { newId32, randomHex, seededRandom } from './random.js';
import { initializeS3, processS3, s3Objects, type S3Objects, type S3Settings } from './s3.js';

export interface Platform {
  clock: Clock;
  random: { hex: (chars: number) => string; id32: () => string; seeded: (seed: number) => () => number };
  files: Files;
  net: Net;
  processes: Processes;
  host: Host;
  /** Object storage for `s3://` locations: a client per settings, and the process's shared one. */
  s3: {
    client: (settings: S3Settings) => S3Objects;
    initialize: (settings: S3Settings) => void;
    shared: () => S3Objects;
  };
}

export const platform: Platform = {
  clock: systemClock,
  random: { hex: randomHex, id32: newId32, seeded: seededRandom },
  files: nodeFiles,
  net: nodeNet,
  processes: nodeProcesses,
  host: nodeHost,
  s3: { client: s3Objects, initialize: initializeS3, shared: processS3 },
};

export { delay, systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export type { AsyncFiles, Files } from './files.js';
export type { Net, Server, ServerOptions, Socket, TlsOptions } from './net.js';
export type { ChildProcess, Host, Processes, SpawnOptions, Worker } from './processes.js';
export { S3Failure, parseS3Uri } from './s3.js';
export type { S3ObjectInfo, S3Objects, S3Settings } from './s3.js';
export { seededRandom, newId32, randomHex } from './random.js';
