// The default topology's ranges, carved from the top of the configured pool (Docker picks its own
// automatic ranges from the bottom of the same pool).
import { cidrLast, formatCidr, parseCidr } from './ip.js';

export function defaultRanges(pool: string): { publicCidr: string; privateCidr: string } {
  const p = parseCidr(pool);
  if (!p || p.version !== 4 || p.prefix > 21)
    throw new Error(`NETWORK_POOL ${pool} must be an IPv4 range of /21 or larger`);
  const last = cidrLast(p);
  const publicNet = (last >> 8n) << 8n; // last /24
  const privateNet = ((publicNet - 1024n) >> 10n) << 10n; // the /22 below the one holding the public /24
  return {
    publicCidr: formatCidr({ version: 4, network: publicNet, prefix: 24 }),
    privateCidr: formatCidr({ version: 4, network: privateNet, prefix: 22 }),
  };
}
