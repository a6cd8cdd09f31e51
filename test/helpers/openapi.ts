// Renders the OpenAPI document exactly as it is committed (stable key order, trailing newline).
import { buildApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { fakeDriverFactory } from '../../src/virt/factory';

export async function renderOpenapi(): Promise<string> {
  const { app } = await buildApp({ config: testConfig(), driverFactory: fakeDriverFactory(), logger: false });
  try {
    await app.ready();
    return JSON.stringify(app.swagger(), null, 2) + '\n';
  } finally {
    await app.close();
  }
}
