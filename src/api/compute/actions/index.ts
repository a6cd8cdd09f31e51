// Every server-action group. A new group: add its file to this folder and one line here.
import type { ActionGroup } from './registry';
import { powerActions } from './power';
import { lockActions } from './lock';
import { consoleOutputActions } from './console-output';

export const ACTION_GROUPS: ActionGroup[] = [
  powerActions,
  lockActions,
  consoleOutputActions,
];
