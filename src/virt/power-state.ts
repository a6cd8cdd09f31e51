// What a hypervisor says about a server's power (nova/compute/power_state.py): every driver reports
// one of these, and the compute side stores it as the instance's power_state.
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;
export type PowerState = (typeof PowerState)[keyof typeof PowerState];
