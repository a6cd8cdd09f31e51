// The admin password Nova generates when a create or rebuild gives none (nova utils.generate_password).
import { randomBytes } from 'node:crypto';

/** Letters and digits without look-alikes, as nova utils.generate_password. */
export function randomPassword(n: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
}
