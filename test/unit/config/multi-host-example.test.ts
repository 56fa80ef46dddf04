/**
 * docs/cluster-multi-host.yaml, the documented configuration for a cluster across machines, loads as it is
 * and means what docs/running-across-machines.md says: binds on every interface, advertised addresses,
 * internal and REST TLS with their PEM files, and tokens for the non-loopback REST endpoint.
 */
import t from 'tap';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { clusterSettings } from '../../../runtime/cli/cluster-settings.js';

t.test('the multi-host example configuration loads', async (t) => {
  const c = loadConfiguration({ file: 'docs/cluster-multi-host.yaml' });
  const typed = c.typed;
  t.equal(typed['jobmanager.rpc.address'], '10.0.0.10');
  t.equal(typed['jobmanager.bind-host'], '0.0.0.0');
  t.equal(typed['taskmanager.bind-host'], '0.0.0.0');
  t.equal(typed['security.ssl.internal.enabled'], true);
  t.equal(typed['security.ssl.internal.truststore'], '/etc/sluice/tls/cluster-ca.pem');
  t.equal(typed['security.ssl.internal.handshake-timeout'], 10_000);
  t.equal(typed['security.ssl.rest.enabled'], true);
  t.equal(clusterSettings(c, {}).restScheme, 'https', 'the CLI addresses REST over https');
  t.equal(c.restTokens().length, 1, 'a token guards the non-loopback REST endpoint');
  // a worker host overrides its own address and certificate on its command line
  const worker = loadConfiguration({
    file: 'docs/cluster-multi-host.yaml',
    dynamicProperties: ['taskmanager.host=10.0.0.12', 'security.ssl.internal.key=/etc/sluice/tls/worker2.key'],
  }).typed;
  t.equal(worker['taskmanager.host'], '10.0.0.12');
  t.equal(worker['security.ssl.internal.key'], '/etc/sluice/tls/worker2.key');
});
