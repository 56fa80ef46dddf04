/**
 * Flink's error contract: every error is `{"errors":[message]}` with a matching status. SluiceErrors map
 * through their `httpStatus`; fastify's own client errors (bad JSON, body too large) keep their 4xx;
 * anything else is a 500 with a generic message — stack traces are logged, never sent.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError, isSluiceError } from '../errors/catalogue.js';

export interface RestLogger {
  info(msg: string): void;
  error(msg: string): void;
}

export function notFound(what: string): SluiceError {
  return new SluiceError('REST_NOT_FOUND', what);
}

export function badRequest(msg: string): SluiceError {
  return new SluiceError('REST_BAD_REQUEST', msg);
}

export function errorHandler(log: RestLogger) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (isSluiceError(err)) {
      if (err.httpStatus === 401) reply.header('www-authenticate', 'Bearer');
      return reply.code(err.httpStatus).send({ errors: [err.message] });
    }
    const status = (err as FastifyError).statusCode;
    if (status === 413)
      return reply
        .code(413)
        .send({ errors: [`Request body exceeds the limit set by rest.server.max-content-length.`] });
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ errors: [`Bad request: ${err.message}`] });
    log.error(`REST internal error on ${req.method} ${req.url}: ${err.stack ?? err.message}`);
    return reply.code(500).send({ errors: ['Internal server error.'] });
  };
}
