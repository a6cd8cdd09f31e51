// Every server-action group. A new group: add its file to this folder and one line here.
import type { ActionGroup } from './registry';
import { powerActions } from './power';
import { lockActions } from './lock';
import { consoleOutputActions } from './console-output';
import { adminActions } from './admin';
import { deferredDeleteActions } from './deferred-delete';
import { snapshotActions } from './snapshot';
import { rebuildActions } from './rebuild';
import { resizeActions } from './resize';
import { shelveActions } from './shelve';
import { serialConsoleActions } from './serial-console';
import { unsupportedActions } from './unsupported';

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
];
