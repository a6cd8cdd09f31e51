// Real Nova (Zed, max 2.93) responses recorded on this kind of machine, kept with the tests so that
// they run wherever the repository is cloned (a copy of the project's shared nova-golden/).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR =
  process.env.NOVA_GOLDEN_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/nova-golden');
