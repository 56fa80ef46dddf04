/**
 * Test certificates, made at test time with the openssl CLI into a directory the caller owns: a cluster CA,
 * a job manager and a worker certificate signed by it (for the given subject alternative names), a rogue CA
 * with a worker certificate of its own, and a CA-signed certificate naming another host only (the wrong
 * certificate for the addresses under test). Keys are P-256, valid for two days; nothing is ever downloaded.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestCerts {
  dir: string;
  /** The cluster CA certificate (the truststore). */
  ca: string;
  /** A CA no cluster trusts. */
  rogueCa: string;
  jobManager: KeyPair;
  worker: KeyPair;
  /** Signed by the rogue CA, with the right names. */
  rogueWorker: KeyPair;
  /** Signed by the cluster CA, naming only a host that is not under test. */
  otherHost: KeyPair;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

function makeLeaf(dir: string, name: string, ca: { cert: string; key: string }, sans: string[]): KeyPair {
  writeFileSync(
    join(dir, `${name}.ext`),
    [
      `subjectAltName=${sans.join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth,clientAuth',
    ].join('\n'),
  );
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    String(Date.now()),
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
  return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`) };
}

/** Makes the set in `dir`; `sans` are the names every cluster certificate carries (e.g. "IP:127.0.0.1"). */
export function makeTestCerts(dir: string, sans: string[] = ['IP:127.0.0.1', 'DNS:localhost']): TestCerts {
  const ca = makeCa(dir, 'cluster-ca');
  const rogue = makeCa(dir, 'rogue-ca');
  return {
    dir,
    ca: ca.cert,
    rogueCa: rogue.cert,
    jobManager: makeLeaf(dir, 'jobmanager', ca, sans),
    worker: makeLeaf(dir, 'worker', ca, sans),
    rogueWorker: makeLeaf(dir, 'rogue-worker', rogue, sans),
    otherHost: makeLeaf(dir, 'other-host', ca, ['IP:10.99.99.99', 'DNS:elsewhere.invalid']),
  };
}

/** Flat configuration keys turning internal TLS on with `pair` and the cluster CA (or `ca`). */
export function internalTlsKeys(certs: TestCerts, pair: KeyPair, ca = certs.ca): Record<string, string> {
  return {
    'security.ssl.internal.enabled': 'true',
    'security.ssl.internal.key': pair.key,
    'security.ssl.internal.cert': pair.cert,
    'security.ssl.internal.truststore': ca,
  };
}
