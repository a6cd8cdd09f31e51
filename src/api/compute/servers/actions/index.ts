// Every server-action group. A new group: add its file to this folder and one line here.
import type { ActionGroup } from './registry.js';
import { powerActions } from './power.js';
import { lockActions } from './lock.js';
import { consoleOutputActions } from './console-output.js';
import { adminActions } from './admin.js';
import { deferredDeleteActions } from './deferred-delete.js';
import { snapshotActions } from './snapshot.js';
import { rebuildActions } from './rebuild.js';
import { resizeActions } from './resize.js';
import { shelveActions } from './shelve.js';
import { serialConsoleActions } from './serial-console.js';
import { unsupportedActions } from './unsupported.js';
import { networkActions } from './network.js';

export const ACTION_GROUPS: ActionGroup[] = [
  powerActions,
  lockActions,
  consoleOutputActions,
  adminActions,
  deferredDeleteActions,
  snapshotActions,
  rebuildActions,
  resizeActions,
  shelveActions,
  serialConsoleActions,
  unsupportedActions,
  networkActions,
];
