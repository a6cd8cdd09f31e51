// The one security group a server has without a network service: its project's `default`, with an
// id derived from the project so that every reader names it the same way.
import { stableId } from '../stable-id.js';

export function defaultGroupId(projectId: string): string {
  return stableId(`novadock-security-group-default-${projectId}`);
}
