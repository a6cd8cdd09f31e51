// Nova's network errors (nova/exception.py, Zed) with the status the compute API answers them with
// (servers.py create, attach_interfaces.py, floating_ips.py, security_groups.py): messages verbatim.
import { ApiError, BadRequest, Conflict, Forbidden, NotFound } from '../../errors.js';

export const NetworkNotFound = (id: string) => new BadRequest(`Network ${id} could not be found.`);
const portNotFoundMessage = (id: string) => `Port id ${id} could not be found.`;
/** Nova's PortNotFound: a 400 in the create API, a 404 in os-interface. */
export const PortNotFound = (id: string) => new BadRequest(portNotFoundMessage(id));
export const InterfacePortNotFound = (id: string) => new NotFound(portNotFoundMessage(id));
export const NoPortsForInstance = (uuid: string) =>
  new NotFound(`instance_id ${uuid} could not be found as device id on any ports`);
export const PortInUse = (id: string) => new Conflict(`Port ${id} is still in use.`);
export const PortRequiresFixedIP = (id: string) => new BadRequest(`Port ${id} requires a FixedIP in order to be used.`);
export const PortNotUsable = (id: string, instance: string) =>
  new BadRequest(`Port ${id} not usable for instance ${instance}.`);
export const FixedIpAlreadyInUse = (address: string, instance: string) =>
  new BadRequest(`Fixed IP address ${address} is already in use on instance ${instance}.`);
export const NetworkRequiresSubnet = (id: string) =>
  new BadRequest(`Network ${id} requires a subnet in order to boot instances on.`);
/** Docker's own need, beyond Nova's: a Docker network has an IPv4 subnet, so an IPv6-only network cannot carry a server. */
export const NetworkRequiresIpv4Subnet = (id: string) =>
  new BadRequest(`Network ${id} has no IPv4 subnet: a server's network on Docker needs one.`);
export const ExternalNetworkAttachForbidden = (id: string) =>
  new Forbidden(`It is not allowed to create an interface on external network ${id}`);
export const NetworkAmbiguous = () =>
  new Conflict('Multiple possible networks found, use a Network ID to be more specific.');
export const UnableToAutoAllocateNetwork = (project: string) =>
  new BadRequest(`Unable to automatically allocate a network for project ${project}`);
/** OverQuota → 403 in the create API; the port count form when the project is already over. */
export const PortLimitExceeded = (msg = 'Maximum number of ports exceeded') => new Forbidden(msg);
export const SecurityGroupNotFound = (id: string) => new BadRequest(`Security group ${id} not found.`);
export const NoUniqueMatch = (msg: string) => new Conflict(msg);

/**
 * Neutron's refusals of a port Nova makes (NovaExceptions: a build's fault is 500); os-interface
 * attach answers them with its own status (`attachStatus`).
 */
export class PortCreateError extends ApiError {
  constructor(
    message: string,
    readonly attachStatus: number,
  ) {
    super(500, message);
  }
}
export const NoMoreFixedIps = (net: string) =>
  new PortCreateError(`No fixed IP addresses available for network: ${net}`, 400);
export const FixedIpInUseAtBuild = (address: string) =>
  new PortCreateError(`Fixed IP ${address} is already in use.`, 409);
export const InvalidFixedIpForNetwork = (ip: string, net: string) =>
  new PortCreateError(`Invalid input received: Fixed IP ${ip} is not a valid ip address for network ${net}.`, 400);

// floating IPs (os-floating-ips, addFloatingIp)
export const FloatingIpNotFoundForAddress = (address: string) =>
  new NotFound(`Floating IP not found for address ${address}.`);
export const FloatingIpNotFound = (id: string) => new NotFound(`Floating IP not found for ID ${id}`);
export const FloatingIpPoolNotFound = () => new NotFound('Floating IP pool not found.');
export const NoMoreFloatingIps = () => new NotFound('Zero floating IPs available.');
