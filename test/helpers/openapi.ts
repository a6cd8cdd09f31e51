// Renders the OpenAPI document exactly as it is committed (stable key order, trailing newline).
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { fakeDriverFactory } from '../../src/virt/factory.js';

export async function renderOpenapi(): Promise<string> {
  const { app } = await buildApp({ config: testConfig(), driverFactory: fakeDriverFactory(), logger: false });
  try {
    await app.ready();
    return JSON.stringify(app.swagger(), null, 2) + '\n';
  } finally {
    await app.close();
  }
}
