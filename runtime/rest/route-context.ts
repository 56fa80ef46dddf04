/**
 * What every route module receives: the fastify instance, the facade, the configuration, the logger,
 * and `found()` for the facade's "undefined means unknown" convention (→ 404 with Flink-like messages).
 */
import type { FastifyInstance } from 'fastify';
import type { Configuration } from '../config/configuration.js';
import type { ClusterFacade } from './cluster-facade.js';
import { notFound, type RestLogger } from './rest-errors.js';

export interface RouteContext {
  app: FastifyInstance;
  facade: ClusterFacade;
  config: Configuration;
  log: RestLogger;
  /** The address clients use, for `/jars` (`http://host:port`). */
  address(): string;
}

export async function found<T>(v: T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  const x = await v;
  if (x === undefined || x === null) throw notFound(`${what} not found.`);
  return x;
}

export const jobWhat = (jobId: string) => `Job ${jobId}`;
