import { PowerState } from '../power-state.js';
// Docker's State.Status as Nova's power state (architecture.md: running/restarting, paused,
// created/exited/removing, dead, and a missing container).

export function powerStateFromDocker(status: string | null | undefined): PowerState {
  switch (status) {
    case 'running':
    case 'restarting':
      return PowerState.RUNNING;
    case 'paused':
      return PowerState.PAUSED;
    case 'created':
    case 'exited':
    case 'removing':
      return PowerState.SHUTDOWN;
    case 'dead':
      return PowerState.CRASHED;
    default:
      return PowerState.NOSTATE;
  }
}
