/**
 * runtime/platform: every source of nondeterminism sluice uses — clock and timers, randomness, sockets,
 * files, child processes — is reached through this module so a whole cluster could later run in a seeded
 * simulator. Engine modules import `platform` from here instead of touching node:fs/net/child_process or
 * Date.now/setTimeout/Math.random directly.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as childProcess from 'node:child_process';
import * as os from 'node:os';
import { systemClock, type Clock } from './clock.js';
import { newId32, randomHex, seededRandom } from './random.js';

export interface Platform {
  clock: Clock;
  random: { hex: (chars: number) => string; id32: () => string; seeded: (seed: number) => () => number };
  fs: typeof fs;
  fsp: typeof fsp;
  net: typeof net;
  childProcess: typeof childProcess;
  os: typeof os;
}

export const platform: Platform = {
  clock: systemClock,
  random: { hex: randomHex, id32: newId32, seeded: seededRandom },
  fs,
  fsp,
  net,
  childProcess,
  os,
};

export { delay, systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { seededRandom, newId32, randomHex } from './random.js';
