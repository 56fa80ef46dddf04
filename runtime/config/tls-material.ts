/**
 * TLS material from the typed configuration: the PEM key, certificate and CA files that Flink's
 * `security.ssl.internal.*` / `security.ssl.rest.*` keys name (sluice reads PEM where Flink reads keystores:
 * `key` + `cert` stand for the keystore, `truststore` is a PEM bundle of CA certificates).
 *
 * Invariants: files are read once, when a process starts; a missing or unreadable file, or a file that holds
 * no PEM block of the expected kind, fails with CONFIG_INVALID naming the key and the path — a cluster never
 * starts half-configured or silently in plain text.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform, type TlsOptions } from '../platform/index.js';
import type { SluiceConfig } from './sluice-config.js';

type Scope = 'internal' | 'rest';

function readPem(key: string, path: string | undefined, kind: RegExp, what: string): Buffer {
  if (!path) throw new SluiceError('CONFIG_INVALID', `${key} is not set (the ${what}, a PEM file)`);
  let bytes: Buffer;
  try {
    bytes = platform.files.readBytes(path);
  } catch (e) {
    throw new SluiceError('CONFIG_INVALID', `${key}: cannot read ${path}: ${(e as Error).message}`);
  }
  if (!kind.test(bytes.toString('latin1')))
    throw new SluiceError('CONFIG_INVALID', `${key}: ${path} holds no PEM ${what} (-----BEGIN … -----)`);
  return bytes;
}

function material(c: SluiceConfig, scope: Scope): TlsOptions {
  const k = `security.ssl.${scope}` as const;
  return {
    key: readPem(`${k}.key`, c[`${k}.key`], /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'),
    cert: readPem(`${k}.cert`, c[`${k}.cert`], /-----BEGIN CERTIFICATE-----/, 'certificate'),
    ca: readPem(`${k}.truststore`, c[`${k}.truststore`], /-----BEGIN CERTIFICATE-----/, 'CA certificate'),
    verifyHostname: c['security.ssl.verify-hostname'],
    handshakeTimeoutMs: c['security.ssl.internal.handshake-timeout'],
  };
}

/** The control plane's and the data plane's TLS material, or undefined when internal TLS is off. */
export function internalTls(c: SluiceConfig): TlsOptions | undefined {
  return c['security.ssl.internal.enabled'] ? material(c, 'internal') : undefined;
}

/** What a REST client (the CLI) presents and trusts: the CA bundle, and its own key and certificate. */
export interface RestClientTls {
  ca: Buffer;
  key?: Buffer;
  cert?: Buffer;
}

/**
 * The CLI's side of `security.ssl.rest.*`, as Flink's REST client reads it: the truststore always (the
 * server's certificate must chain to it); the key and certificate only with `authentication-enabled`,
 * where the server asks for a client certificate. Undefined when REST TLS is off.
 */
export function restClientTls(c: SluiceConfig): RestClientTls | undefined {
  if (!c['security.ssl.rest.enabled']) return undefined;
  const k = 'security.ssl.rest';
  const ca = readPem(`${k}.truststore`, c[`${k}.truststore`], /-----BEGIN CERTIFICATE-----/, 'CA certificate');
  if (!c['security.ssl.rest.authentication-enabled']) return { ca };
  return {
    ca,
    key: readPem(`${k}.key`, c[`${k}.key`], /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'),
    cert: readPem(`${k}.cert`, c[`${k}.cert`], /-----BEGIN CERTIFICATE-----/, 'certificate'),
  };
}

/** The REST endpoint's TLS material (and whether clients must present certificates), or undefined. */
export function restTls(c: SluiceConfig): (TlsOptions & { clientAuth: boolean }) | undefined {
  if (!c['security.ssl.rest.enabled']) return undefined;
  return { ...material(c, 'rest'), clientAuth: c['security.ssl.rest.authentication-enabled'] };
}
