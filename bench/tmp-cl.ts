import { clusterScoring } from './scoring.js';
const [n, b, mode] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] as 'keyed' | 'broadcast'];
const r = await clusterScoring({ records: n, ratePerSecond: 0, batch: b, workers: 2, parallelism: 2, mode });
console.log(mode, b, r.recordsPerSecond.toFixed(0), r.p99Ms);
