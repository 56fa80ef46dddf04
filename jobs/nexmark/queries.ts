/**
 * The Nexmark queries q0–q5, q7–q9, q11 and q12 on sluice's DataStream API: the list of names (QUERIES) and
 * the builder of each (QUERY_BUILDERS), from the events stream (timestamps and watermarks assigned) to its
 * result stream. Each query lives in queries/ (the stateless q0–q2 together, one file per stateful query);
 * the SQL each implements is Nexmark's (the `nexmark` project's queries/qN.sql), result rows have the SQL's
 * column names, and the deliberate differences from the SQL are documented at each query (q4, q7, q9, q12).
 *
 * Invariant: every stateful operator has a uid (`nexmark-qN-…`), so the queries restore from savepoints.
 */
import type { DataStream, NexmarkEvent } from 'sluice';
import { q3 } from './queries/q3.js';
import { q4 } from './queries/q4.js';
import { q5 } from './queries/q5.js';
import { q7 } from './queries/q7.js';
import { q8 } from './queries/q8.js';
import { q9 } from './queries/q9.js';
import { q11 } from './queries/q11.js';
import { q12 } from './queries/q12.js';
import { q0, q1, q2 } from './queries/stateless.js';

export { q0, q1, q2, q3, q4, q5, q7, q8, q9, q11, q12 };
export type { Q3Row } from './queries/q3.js';
export type { Q8Row } from './queries/q8.js';
export type { Q9Row } from './queries/q9.js';
export type { Q11Row } from './queries/q11.js';
export type { Q12Row } from './queries/q12.js';

export const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8', 'q9', 'q11', 'q12'] as const;
export type QueryName = (typeof QUERIES)[number];

export const QUERY_BUILDERS: Record<QueryName, (events: DataStream<NexmarkEvent>) => DataStream<any>> = {
  q0,
  q1,
  q2,
  q3,
  q4,
  q5,
  q7,
  q8,
  q9,
  q11,
  q12,
};
