/**
 * The S3 client settings of a process, from Flink's `s3.*` keys: `s3.endpoint`, `s3.path.style.access`,
 * `s3.access-key`, `s3.secret-key`, `s3.region`. Every process that may touch an `s3://` location (job manager,
 * task worker, local runs) hands them to `platform.s3.initialize` when it starts, as Flink initializes its file
 * systems from the configuration once per process.
 *
 * Invariant: an access key without a secret key (or the reverse) is refused, never half-applied.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform, type S3Settings } from '../platform/index.js';
import type { SluiceConfig } from './sluice-config.js';

export function s3Settings(config: SluiceConfig): S3Settings {
  const accessKey = config['s3.access-key'];
  const secretKey = config['s3.secret-key'];
  if ((accessKey === undefined) !== (secretKey === undefined))
    throw new SluiceError(
      'CONFIG_INVALID',
      `s3.access-key and s3.secret-key go together; only ${accessKey === undefined ? 's3.secret-key' : 's3.access-key'} is set`,
    );
  const s: S3Settings = { pathStyleAccess: config['s3.path.style.access'], region: config['s3.region'] };
  if (config['s3.endpoint'] !== undefined) s.endpoint = config['s3.endpoint'];
  if (accessKey !== undefined && secretKey !== undefined) Object.assign(s, { accessKey, secretKey });
  return s;
}

/** Sets this process's S3 client settings from its configuration. */
export function initializeS3FromConfig(config: SluiceConfig): void {
  platform.s3.initialize(s3Settings(config));
}
