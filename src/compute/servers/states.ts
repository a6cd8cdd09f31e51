// Nova's vm_state and task_state vocabularies (nova/compute/vm_states.py, task_states.py); the third,
// power_state, is the virt layer's (src/virt/power-state.ts). vm_state and task_state are stored; the
// API `status` is derived from them, never stored.

export const VmState = {
  ACTIVE: 'active',
  BUILDING: 'building',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  STOPPED: 'stopped',
  RESCUED: 'rescued',
  RESIZED: 'resized',
  SOFT_DELETED: 'soft-delete',
  DELETED: 'deleted',
  ERROR: 'error',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
} as const;
export type VmState = (typeof VmState)[keyof typeof VmState];

export const TaskState = {
  SCHEDULING: 'scheduling',
  BLOCK_DEVICE_MAPPING: 'block_device_mapping',
  NETWORKING: 'networking',
  SPAWNING: 'spawning',
  IMAGE_SNAPSHOT: 'image_snapshot',
  IMAGE_SNAPSHOT_PENDING: 'image_snapshot_pending',
  IMAGE_PENDING_UPLOAD: 'image_pending_upload',
  IMAGE_UPLOADING: 'image_uploading',
  IMAGE_BACKUP: 'image_backup',
  UPDATING_PASSWORD: 'updating_password',
  RESIZE_PREP: 'resize_prep',
  RESIZE_MIGRATING: 'resize_migrating',
  RESIZE_MIGRATED: 'resize_migrated',
  RESIZE_FINISH: 'resize_finish',
  RESIZE_REVERTING: 'resize_reverting',
  RESIZE_CONFIRMING: 'resize_confirming',
  REBOOTING: 'rebooting',
  REBOOT_PENDING: 'reboot_pending',
  REBOOT_STARTED: 'reboot_started',
  REBOOTING_HARD: 'rebooting_hard',
  REBOOT_PENDING_HARD: 'reboot_pending_hard',
  REBOOT_STARTED_HARD: 'reboot_started_hard',
  PAUSING: 'pausing',
  UNPAUSING: 'unpausing',
  SUSPENDING: 'suspending',
  RESUMING: 'resuming',
  POWERING_OFF: 'powering-off',
  POWERING_ON: 'powering-on',
  RESCUING: 'rescuing',
  UNRESCUING: 'unrescuing',
  REBUILDING: 'rebuilding',
  REBUILD_BLOCK_DEVICE_MAPPING: 'rebuild_block_device_mapping',
  REBUILD_SPAWNING: 'rebuild_spawning',
  MIGRATING: 'migrating',
  DELETING: 'deleting',
  SOFT_DELETING: 'soft-deleting',
  RESTORING: 'restoring',
  SHELVING: 'shelving',
  SHELVING_IMAGE_PENDING_UPLOAD: 'shelving_image_pending_upload',
  SHELVING_IMAGE_UPLOADING: 'shelving_image_uploading',
  SHELVING_OFFLOADING: 'shelving_offloading',
  UNSHELVING: 'unshelving',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

// nova/compute/api.py reboot(): soft reboot only from ACTIVE; hard reboot also from the others.
export const ALLOW_SOFT_REBOOT: readonly VmState[] = [VmState.ACTIVE];
export const ALLOW_HARD_REBOOT: readonly VmState[] = [
  VmState.ACTIVE,
  VmState.STOPPED,
  VmState.PAUSED,
  VmState.SUSPENDED,
  VmState.ERROR,
];
// Task states a HARD reboot may interrupt (nova: REBOOTING, REBOOT_PENDING, REBOOT_STARTED, REBOOTING_HARD…, plus idle).
export const ALLOW_HARD_REBOOT_TASK: readonly (TaskState | null)[] = [
  null,
  TaskState.REBOOTING,
  TaskState.REBOOT_PENDING,
  TaskState.REBOOT_STARTED,
  TaskState.REBOOTING_HARD,
  TaskState.REBOOT_PENDING_HARD,
  TaskState.REBOOT_STARTED_HARD,
];

/** nova/api/openstack/common.py _STATE_MAP: (vm_state, task_state) → API status. */
const STATE_MAP: Record<string, Record<string, string>> = {
  [VmState.ACTIVE]: {
    default: 'ACTIVE',
    [TaskState.REBOOTING]: 'REBOOT',
    [TaskState.REBOOT_PENDING]: 'REBOOT',
    [TaskState.REBOOT_STARTED]: 'REBOOT',
    [TaskState.REBOOTING_HARD]: 'HARD_REBOOT',
    [TaskState.REBOOT_PENDING_HARD]: 'HARD_REBOOT',
    [TaskState.REBOOT_STARTED_HARD]: 'HARD_REBOOT',
    [TaskState.UPDATING_PASSWORD]: 'PASSWORD',
    [TaskState.REBUILDING]: 'REBUILD',
    [TaskState.REBUILD_BLOCK_DEVICE_MAPPING]: 'REBUILD',
    [TaskState.REBUILD_SPAWNING]: 'REBUILD',
    [TaskState.MIGRATING]: 'MIGRATING',
    [TaskState.RESIZE_PREP]: 'RESIZE',
    [TaskState.RESIZE_MIGRATING]: 'RESIZE',
    [TaskState.RESIZE_MIGRATED]: 'RESIZE',
    [TaskState.RESIZE_FINISH]: 'RESIZE',
  },
  [VmState.BUILDING]: { default: 'BUILD' },
  [VmState.STOPPED]: {
    default: 'SHUTOFF',
    [TaskState.RESIZE_PREP]: 'RESIZE',
    [TaskState.RESIZE_MIGRATING]: 'RESIZE',
    [TaskState.RESIZE_MIGRATED]: 'RESIZE',
    [TaskState.RESIZE_FINISH]: 'RESIZE',
    [TaskState.REBUILDING]: 'REBUILD',
    [TaskState.REBUILD_BLOCK_DEVICE_MAPPING]: 'REBUILD',
    [TaskState.REBUILD_SPAWNING]: 'REBUILD',
  },
  [VmState.RESIZED]: { default: 'VERIFY_RESIZE', [TaskState.RESIZE_REVERTING]: 'REVERT_RESIZE' },
  [VmState.PAUSED]: { default: 'PAUSED', [TaskState.MIGRATING]: 'MIGRATING' },
  [VmState.SUSPENDED]: { default: 'SUSPENDED' },
  [VmState.RESCUED]: { default: 'RESCUE' },
  [VmState.ERROR]: {
    default: 'ERROR',
    [TaskState.REBUILDING]: 'REBUILD',
    [TaskState.REBUILD_BLOCK_DEVICE_MAPPING]: 'REBUILD',
    [TaskState.REBUILD_SPAWNING]: 'REBUILD',
  },
  [VmState.DELETED]: { default: 'DELETED' },
  [VmState.SOFT_DELETED]: { default: 'SOFT_DELETED' },
  [VmState.SHELVED]: { default: 'SHELVED' },
  [VmState.SHELVED_OFFLOADED]: { default: 'SHELVED_OFFLOADED' },
};

export function statusFromState(vmState: string, taskState: string | null): string {
  const entry = STATE_MAP[vmState];
  if (!entry) return 'UNKNOWN';
  return (taskState && entry[taskState]) || entry.default;
}

/** API status (as a filter value) → the vm_states (and task_states) it covers (nova common.task_and_vm_state_from_status). */
export function statesFromStatus(status: string): { vmStates: string[]; taskStates: string[] | null } {
  const vmStates = new Set<string>();
  const taskStates = new Set<string>();
  let anyTask = false;
  const upper = status.toUpperCase();
  for (const [vm, map] of Object.entries(STATE_MAP)) {
    for (const [task, s] of Object.entries(map)) {
      if (s !== upper) continue;
      vmStates.add(vm);
      if (task === 'default') anyTask = true;
      else taskStates.add(task);
    }
  }
  return { vmStates: [...vmStates], taskStates: anyTask ? null : [...taskStates] };
}
