// At most a few container spawns (create + start) at a time per Docker host. dockerd does the
// starts of one engine largely one after another; sixteen at once on a busy machine left each call
// waiting past its timeout (30 s), and builds that would have succeeded went to ERROR (found by the
// kill -9 test in test/reliability). Queued here, every call gets Docker's full attention and its
// timeout measures Docker, not the queue.
export const SPAWNS_PER_HOST = 4;

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
