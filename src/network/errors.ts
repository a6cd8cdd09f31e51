// Neutron's errors: the `type` clients read is the exception class name; the status comes from
// neutron_lib/api/faults.py (NotFound 404, Conflict/InUse 409, BadRequest/InvalidInput 400,
// NotAuthorized/PolicyNotAuthorized 403). Messages are neutron-lib's / Neutron Zed's, verbatim.
import { ApiError, RESOURCE_NOT_FOUND } from '../errors.js';

// The error handler renders {"NeutronError": {type, message, detail: ""}} under /networking.

/** A Neutron error: its status, the `type` clients read, Neutron's message. */
export class NeutronError extends ApiError {
  constructor(
    status: number,
    readonly type: string,
    message: string,
  ) {
    super(status, message);
    this.name = 'NeutronError';
  }
}

const err = (status: number, type: string) => (message: string) => new NeutronError(status, type, message);

// webob-level (type = webob class name)
export const HTTPBadRequest = err(400, 'HTTPBadRequest');
/** Neutron's pecan body hook: a body that is no JSON object. */
export const BODY_INVALID = 'Body contains invalid data';
export const InvalidAttribute = (key: string, reason: string) =>
  HTTPBadRequest(`Invalid input for ${key}. Reason: ${reason}.`);
export const HTTPNotFound = (message = RESOURCE_NOT_FOUND) => new NeutronError(404, 'HTTPNotFound', message);
export const HTTPNotImplemented = err(501, 'HTTPNotImplemented');
export const PolicyNotAuthorized = (rule: string) =>
  new NeutronError(403, 'PolicyNotAuthorized', `${rule} is disallowed by policy`);

export const BadRequest = (resource: string, msg: string) =>
  new NeutronError(400, 'BadRequest', `Bad ${resource} request: ${msg}.`);
export const InvalidInput = (errorMessage: string) =>
  new NeutronError(400, 'InvalidInput', `Invalid input for operation: ${errorMessage}.`);

// not found
export const NetworkNotFound = (id: string) =>
  new NeutronError(404, 'NetworkNotFound', `Network ${id} could not be found.`);
export const SubnetNotFound = (id: string) =>
  new NeutronError(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
export const PortNotFound = (id: string) => new NeutronError(404, 'PortNotFound', `Port ${id} could not be found.`);
export const RouterNotFound = (id: string) =>
  new NeutronError(404, 'RouterNotFound', `Router ${id} could not be found`);
export const FloatingIPNotFound = (id: string) =>
  new NeutronError(404, 'FloatingIPNotFound', `Floating IP ${id} could not be found`);
export const SecurityGroupNotFound = (id: string) =>
  new NeutronError(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`);
export const SecurityGroupRuleNotFound = (id: string) =>
  new NeutronError(404, 'SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);

// networks, subnets, ports
export const NetworkInUse = (netId: string, portIds: string[]) =>
  new NeutronError(
    409,
    'NetworkInUse',
    `Unable to complete operation on network ${netId}. There are one or more ports still in use on the network, id for these ports is: ${portIds.join(',')}.`,
  );
export const SubnetInUse = (subnetId: string, reason = 'One or more ports have an IP allocation from this subnet') =>
  new NeutronError(409, 'SubnetInUse', `Unable to complete operation on subnet ${subnetId}: ${reason}.`);
export const PortInUse = (portId: string, netId: string, deviceId: string) =>
  new NeutronError(
    409,
    'PortInUse',
    `Unable to complete operation on port ${portId} for network ${netId}. Port already has an attached device ${deviceId}.`,
  );
export const ServicePortInUse = (portId: string, reason: string) =>
  new NeutronError(409, 'ServicePortInUse', `Port ${portId} cannot be deleted directly via the port API: ${reason}.`);
export const MacAddressInUse = (netId: string, mac: string) =>
  new NeutronError(
    409,
    'MacAddressInUse',
    `Unable to complete operation for network ${netId}. The mac address ${mac} is in use.`,
  );
export const IpAddressAlreadyAllocated = (ip: string, subnetId: string) =>
  new NeutronError(409, 'IpAddressAlreadyAllocated', `IP address ${ip} already allocated in subnet ${subnetId}`);
export const IpAddressGenerationFailure = (netId: string) =>
  new NeutronError(409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${netId}.`);
export const InvalidIpForSubnet = (ip: string) =>
  new NeutronError(400, 'InvalidIpForSubnet', `IP address ${ip} is not a valid IP for the specified subnet.`);
export const InvalidIpForNetwork = (ip: string) =>
  new NeutronError(
    400,
    'InvalidIpForNetwork',
    `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`,
  );
export const InvalidAllocationPool = (pool: string) =>
  new NeutronError(400, 'InvalidAllocationPool', `The allocation pool ${pool} is not valid.`);
export const OutOfBoundsAllocationPool = (pool: string, cidr: string) =>
  new NeutronError(
    400,
    'OutOfBoundsAllocationPool',
    `The allocation pool ${pool} spans beyond the subnet cidr ${cidr}.`,
  );
export const OverlappingAllocationPools = (p1: string, p2: string, cidr: string) =>
  new NeutronError(
    409,
    'OverlappingAllocationPools',
    `Found overlapping allocation pools: ${p1} ${p2} for subnet ${cidr}.`,
  );
export const GatewayConflictWithAllocationPools = (ip: string, pool: string) =>
  new NeutronError(
    409,
    'GatewayConflictWithAllocationPools',
    `Gateway ip ${ip} conflicts with allocation pool ${pool}.`,
  );
export const GatewayIpInUse = (ip: string, portId: string) =>
  new NeutronError(
    409,
    'GatewayIpInUse',
    `Current gateway ip ${ip} already in use by port ${portId}. Unable to update.`,
  );
export const DNSNameServersExhausted = (subnetId: string, quota: number) =>
  new NeutronError(
    400,
    'DNSNameServersExhausted',
    `Unable to complete operation for ${subnetId}. The number of DNS nameservers exceeds the limit ${quota}.`,
  );
export const HostRoutesExhausted = (subnetId: string, quota: number) =>
  new NeutronError(
    400,
    'HostRoutesExhausted',
    `Unable to complete operation for ${subnetId}. The number of host routes exceeds the limit ${quota}.`,
  );
export const InvalidSharedSetting = (network: string) =>
  new NeutronError(
    409,
    'InvalidSharedSetting',
    `Unable to reconfigure sharing settings for network ${network}. Multiple tenants are using it.`,
  );
export const ExternalNetworkInUse = (netId: string) =>
  new NeutronError(
    409,
    'ExternalNetworkInUse',
    `External network ${netId} cannot be updated to be made non-external, since it has existing gateway ports.`,
  );
export const OverQuota = (overs: string[]) =>
  new NeutronError(
    409,
    'OverQuota',
    `Quota exceeded for resources: [${[...overs]
      .sort()
      .map((o) => `'${o}'`)
      .join(', ')}].`,
  );
export const SubnetMismatchForPort = (portId: string, subnetId: string) =>
  new NeutronError(
    400,
    'SubnetMismatchForPort',
    `Subnet on port ${portId} does not match the requested subnet ${subnetId}.`,
  );
export const InUse = (message: string) => new NeutronError(409, 'InUse', message);

// routers and floating IPs
export const RouterInUse = (routerId: string, reason: string) =>
  new NeutronError(409, 'RouterInUse', `Router ${routerId} ${reason}`);
export const RouterInterfaceNotFound = (routerId: string, portId: string) =>
  new NeutronError(404, 'RouterInterfaceNotFound', `Router ${routerId} does not have an interface with id ${portId}`);
export const RouterInterfaceNotFoundForSubnet = (routerId: string, subnetId: string) =>
  new NeutronError(
    404,
    'RouterInterfaceNotFoundForSubnet',
    `Router ${routerId} has no interface on subnet ${subnetId}`,
  );
export const RouterInterfaceInUseByFloatingIP = (routerId: string, subnetId: string) =>
  new NeutronError(
    409,
    'RouterInterfaceInUseByFloatingIP',
    `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`,
  );
export const RouterExternalGatewayInUseByFloatingIp = (routerId: string, netId: string) =>
  new NeutronError(
    409,
    'RouterExternalGatewayInUseByFloatingIp',
    `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${netId} is required by one or more floating IPs.`,
  );
export const ExternalGatewayForFloatingIPNotFound = (extNetId: string, subnetId: string, portId: string) =>
  new NeutronError(
    404,
    'ExternalGatewayForFloatingIPNotFound',
    `External network ${extNetId} is not reachable from subnet ${subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
  );
export const FloatingIPPortAlreadyAssociated = (a: {
  address: string;
  fipId: string;
  portId: string;
  fixedIp: string;
  netId: string;
}) =>
  new NeutronError(
    409,
    'FloatingIPPortAlreadyAssociated',
    `Cannot associate floating IP ${a.address} (${a.fipId}) with port ${a.portId} using fixed IP ${a.fixedIp}, as that fixed IP already has a floating IP on external network ${a.netId}.`,
  );
export const ExternalIpAddressExhausted = (netId: string) =>
  new NeutronError(400, 'ExternalIpAddressExhausted', `Unable to find any IP address on external network ${netId}.`);
export const FipAssociated = (portId: string) =>
  new NeutronError(
    409,
    'FipAssociated',
    `Unable to complete the operation on port "${portId}" because the port still has an associated floating IP.`,
  );

// security groups
export const SecurityGroupInUse = (id: string) =>
  new NeutronError(409, 'SecurityGroupInUse', `Security Group ${id} in use.`);
export const SecurityGroupCannotRemoveDefault = () =>
  new NeutronError(409, 'SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
export const SecurityGroupCannotUpdateDefault = () =>
  new NeutronError(409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
export const SecurityGroupDefaultAlreadyExists = () =>
  new NeutronError(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
export const SecurityGroupRuleExists = (ruleId: string) =>
  new NeutronError(409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${ruleId}.`);
const sgInput = (type: string, message: string) => new NeutronError(400, type, message);
export const SG_PROTOCOLS = [
  'ah',
  'dccp',
  'egp',
  'esp',
  'gre',
  'hopopt',
  'icmp',
  'igmp',
  'ip',
  'ipip',
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  'ospf',
  'pgm',
  'rsvp',
  'sctp',
  'tcp',
  'udp',
  'udplite',
  'vrrp',
] as const;
export const SecurityGroupRuleInvalidProtocol = (protocol: string) =>
  sgInput(
    'SecurityGroupRuleInvalidProtocol',
    `Security group rule protocol ${protocol} not supported. Only protocol values [None, ${SG_PROTOCOLS.map((p) => `'${p}'`).join(', ')}] and integer representations [0 to 255] are supported.`,
  );
export const SecurityGroupInvalidPortRange = () =>
  sgInput('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
export const SecurityGroupInvalidPortValue = (port: string) =>
  sgInput('SecurityGroupInvalidPortValue', `Invalid value for port ${port}`);
export const SecurityGroupInvalidIcmpValue = (field: string, attr: string, value: string) =>
  sgInput('SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`);
export const SecurityGroupMissingIcmpType = (value: string) =>
  sgInput(
    'SecurityGroupMissingIcmpType',
    `ICMP code (port-range-max) ${value} is provided but ICMP type (port-range-min) is missing.`,
  );
export const SecurityGroupInvalidProtocolForPort = (protocol: string) =>
  sgInput(
    'SecurityGroupInvalidProtocolForPort',
    `Ports cannot be specified for protocol ${protocol}. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.`,
  );
export const SecurityGroupProtocolRequiredWithPorts = () =>
  sgInput('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
export const SecurityGroupRuleParameterConflict = (ethertype: string, cidr: string) =>
  sgInput('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${cidr}`);
export const SecurityGroupEthertypeConflictWithProtocol = (ethertype: string, protocol: string) =>
  sgInput('SecurityGroupEthertypeConflictWithProtocol', `Invalid ethertype ${ethertype} for protocol ${protocol}.`);
export const SecurityGroupMultipleRemoteEntites = () =>
  sgInput(
    'SecurityGroupMultipleRemoteEntites',
    'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
  );
export const SecurityGroupRuleInvalidEtherType = (ethertype: string) =>
  sgInput(
    'SecurityGroupRuleInvalidEtherType',
    `Security group rule for ethertype '${ethertype}' not supported. Allowed values are ['IPv4', 'IPv6'].`,
  );
export const InvalidCIDR = (input: string) =>
  new NeutronError(400, 'InvalidCIDR', `Invalid CIDR ${input} given as IP prefix.`);
