// The server actions of Nova's network proxies: addSecurityGroup / removeSecurityGroup (every
// microversion; security_groups.py SecurityGroupActionController) and addFloatingIp /
// removeFloatingIp (up to 2.43; floating_ips.py FloatingIPActionController), on the server's ports.
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../../errors.js';
import { authorize } from '../../../../identity/policy.js';
import { isAdmin } from '../../../../identity/auth-context.js';
import { ACCEPTED, type ActionGroup } from './registry.js';
import { ipAddress, obj, wrap } from '../../../../contract/parameter-types.js';

const groupBody = (name: string) => wrap(name, obj({ name: { type: 'string', minLength: 1 } }, ['name']));
const callerOf = (req: FastifyRequest) => ({ projectId: req.auth.projectId ?? '', isAdmin: isAdmin(req.auth) });

/** SecurityGroupActionController._parse */
function groupName(arg: unknown): string {
  const name = (arg as { name: string }).name;
  if (!name || name.trim() === '') throw new BadRequest('Security group name cannot be empty');
  return name;
}

export const networkActions: ActionGroup = (services) => {
  const sg = services.novaSecurityGroups;
  const fips = services.novaFloatingIps;
  return [
    {
      name: 'addSecurityGroup',
      bodies: [{ min: '2.1', schema: groupBody('addSecurityGroup') }],
      handler: async (req, instance, arg) => {
        authorize(req.auth, 'write', 'os_compute_api:os-security-groups:add');
        await sg.addToInstance(callerOf(req), instance.uuid, groupName(arg));
        return ACCEPTED;
      },
    },
    {
      name: 'removeSecurityGroup',
      bodies: [{ min: '2.1', schema: groupBody('removeSecurityGroup') }],
      handler: async (req, instance, arg) => {
        authorize(req.auth, 'write', 'os_compute_api:os-security-groups:remove');
        await sg.removeFromInstance(callerOf(req), instance.uuid, groupName(arg));
        return ACCEPTED;
      },
    },
    {
      name: 'addFloatingIp',
      maxVersion: '2.43',
      bodies: [
        {
          min: '2.1',
          max: '2.43',
          schema: wrap('addFloatingIp', obj({ address: ipAddress, fixed_address: ipAddress }, ['address'])),
        },
      ],
      handler: async (req, instance, arg) => {
        authorize(req.auth, 'write', 'os_compute_api:os-floating-ips:add');
        const a = arg as { address: string; fixed_address?: string };
        await fips.associate(callerOf(req), instance, a.address, a.fixed_address);
        return ACCEPTED;
      },
    },
    {
      name: 'removeFloatingIp',
      maxVersion: '2.43',
      bodies: [{ min: '2.1', max: '2.43', schema: wrap('removeFloatingIp', obj({ address: ipAddress }, ['address'])) }],
      handler: async (req, instance, arg) => {
        const { address } = arg as { address: string };
        await fips.instanceOf(callerOf(req), address);
        authorize(req.auth, 'write', 'os_compute_api:os-floating-ips:remove');
        await fips.disassociate(callerOf(req), instance, address);
        return ACCEPTED;
      },
    },
  ];
};
