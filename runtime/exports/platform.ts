/**
 * `sluice/platform`: the engine's own clock, timers, randomness and files, for job code that needs them
 * (pacing a source, a seeded generator, writing a marker file). Jobs reach nondeterminism only through here,
 * like the engine, so a simulator that replaces the platform also controls the jobs.
 */
export { delay, platform, seededRandom } from '../platform/index.js';
export type { Clock, Files, Platform, TimerHandle } from '../platform/index.js';
