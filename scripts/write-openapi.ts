// Writes openapi/openapi.json from the route schemas (buildApp with the fake driver, nothing started).
// `npm run openapi` after changing routes; test/api/openapi.test.ts fails while the file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOpenapi } from '../test/helpers/openapi.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../openapi/openapi.json');
const doc = await renderOpenapi();
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, doc);
console.log(`wrote ${out} (${doc.length} bytes)`);
