// At most a bounded number of container spawns (create + start) at a time per Docker host. It was
// four: sixteen at once on a busy machine left each call waiting past its fixed timeout (30 s), and
// builds that would have succeeded went to ERROR (found by the kill -9 test in test/reliability).
// Now the Docker driver gives each create/start call a deadline that grows with the spawns in flight
// on its engine (docker-driver.ts spawnDeadline), so the spawns of concurrent builds overlap in
// dockerd as raw `docker run`s do (20 concurrent boots: 4 at a time took 1.5x raw Docker); this
// gate only bounds how many wait in dockerd at once (the task runner runs at most 32 tasks).
export const SPAWNS_PER_HOST = 32;

const gates = new Map<number, { running: number; waiting: (() => void)[] }>();

export async function withSpawnSlot<T>(hostId: number, fn: () => Promise<T>, limit = SPAWNS_PER_HOST): Promise<T> {
  let g = gates.get(hostId);
  if (!g) {
    g = { running: 0, waiting: [] };
    gates.set(hostId, g);
  }
  const gate = g;
  if (gate.running >= limit) await new Promise<void>((resolve) => gate.waiting.push(resolve));
  else gate.running += 1;
  try {
    return await fn();
  } finally {
    const next = gate.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else gate.running -= 1;
  }
}
