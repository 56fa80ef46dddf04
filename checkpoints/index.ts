/** checkpoints: the checkpoint subsystem's public surface (see README.md for the file → responsibility table). */
export * from './layout.js';
export * from './storage-fs.js';
export * from './store.js';
export { LocalStore } from './store-local.js';
export { S3Store, s3Join, s3Resolve } from './store-s3.js';
export * from './state-file.js';
export * from './manifest.js';
export * from './restored-snapshot.js';
export * from './storage.js';
export * from './empty-state.js';
export * from './operator-state-redistribution.js';
export * from './restore-assignment.js';
export * from './stats-summary.js';
export * from './stats.js';
export * from './checkpoint-config-info.js';
export * from './coordinator.js';
