/**
 * Streams a `POST /jars/upload` multipart body to a file on disk (busboy), so an upload costs the job
 * manager a few buffers of memory whatever its size. The file field must be `jarfile`; the whole body is
 * capped at rest.server.max-content-length (413, the partial file removed).
 *
 * Invariants: the upload is written to a fresh hidden temp file in `dir` (never a client-supplied name);
 * on every failure the temp file is removed and the request stream is drained or destroyed; at most one
 * file is accepted.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { badRequest } from './rest-errors.js';

export interface ReceivedUpload {
  /** The temp file holding the bundle; the caller takes it over (moves or deletes it). */
  file: string;
  /** The client's file name, unsanitized (for display only). */
  name: string;
  sizeBytes: number;
}

function tooLarge(): SluiceError {
  return new SluiceError(
    'REST_PAYLOAD_TOO_LARGE',
    'Request body exceeds the limit set by rest.server.max-content-length.',
  );
}

export async function receiveJarUpload(
  body: Readable,
  contentType: string,
  o: { dir: string; maxBytes: number },
): Promise<ReceivedUpload> {
  platform.files.mkdirs(o.dir);
  const file = join(o.dir, `.upload-${platform.random.hex(16)}.tmp`);
  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fileSize: o.maxBytes } });
  } catch (e) {
    throw badRequest(`Bad request: malformed multipart body: ${(e as Error).message}`);
  }
  let received = 0;
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
  };
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > o.maxBytes) {
      fail(tooLarge());
      body.destroy(failure);
    }
  });
  let written: Promise<ReceivedUpload> | undefined;
  bb.on('file', (field, stream, filename) => {
    if (field !== 'jarfile' || written) {
      stream.resume();
      return;
    }
    const done = platform.files.async
      .open(file, 'w')
      .then((handle) => pipeline(stream, handle.createWriteStream()))
      .then(() => {
        if (stream.truncated) throw tooLarge();
        return { file, name: filename, sizeBytes: stream.bytesRead };
      });
    done.catch(fail);
    written = done;
  });
  try {
    await pipeline(body, bb);
  } catch (e) {
    fail(
      failure
        ? failure
        : e instanceof SluiceError
          ? e
          : badRequest(`Bad request: malformed multipart body: ${(e as Error).message}`),
    );
  }
  const result = await written?.catch(fail);
  if (failure || !result) {
    platform.files.remove(file);
    throw failure ?? badRequest('Bad request: the multipart field "jarfile" with the job bundle is missing.');
  }
  return result;
}
