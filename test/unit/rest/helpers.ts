/** Builds a REST server over a FakeFacade for tests; closes it on teardown. */
import type { Test } from 'tap';
import { createRestServer } from '../../../runtime/rest/index.js';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { FakeFacade } from './fake-facade.js';

export function setup(t: Test, overrides: Record<string, string | number> = {}) {
  const facade = new FakeFacade();
  const errors: string[] = [];
  const config = loadConfiguration({ file: false, overrides: { 'rest.port': 0, ...overrides } });
  const server = createRestServer({ facade, config, logger: { info: () => {}, error: (m) => errors.push(m) } });
  t.teardown(() => server.close());
  return { facade, server, app: server.app, errors };
}
