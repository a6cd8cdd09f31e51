// Deterministic UUID-shaped ids (name-based, SHA-1) for things novadock derives rather than stores:
// a server's port on a network, a project's default security group. Same seed, same id.
import { createHash } from 'node:crypto';

export function stableId(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
