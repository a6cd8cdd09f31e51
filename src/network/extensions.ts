// GET /v2.0/extensions: only what this service really implements. Names, aliases, descriptions and
// dates as Neutron (neutron-lib api/definitions, neutron/extensions at Zed).
export interface Extension {
  name: string;
  alias: string;
  description: string;
  updated: string;
  links: never[];
}
const ext = (alias: string, name: string, description: string, updated: string): Extension => ({
  name,
  alias,
  description,
  updated,
  links: [],
});

/** Set by the composition root: whether security group rules are enforced on this deployment's engines. */
export const securityGroupDescription = (enforced: boolean) =>
  enforced
    ? 'The security groups extension.'
    : 'The security groups extension. Rules are recorded, validated and shown; this deployment does not enforce them.';

export function extensions(sgEnforced: boolean): Extension[] {
  return [
    ext('security-group', 'security-group', securityGroupDescription(sgEnforced), '2012-10-05T10:00:00-00:00'),
    ext(
      'router',
      'Neutron L3 Router',
      'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.',
      '2012-07-20T10:00:00-00:00',
    ),
    ext(
      'external-net',
      'Neutron external network',
      'Adds external network attribute to network resource.',
      '2013-01-14T10:00:00-00:00',
    ),
    ext(
      'quotas',
      'Quota management support',
      'Expose functions for quotas management per project',
      '2012-07-29T10:00:00-00:00',
    ),
    ext(
      'quota_details',
      'Quota details management support',
      'Expose functions for quotas usage statistics per project',
      '2017-02-10T10:00:00-00:00',
    ),
    ext(
      'binding',
      'Port Binding',
      'Expose port bindings of a virtual port to external application',
      '2014-02-03T10:00:00-00:00',
    ),
    ext(
      'allowed-address-pairs',
      'Allowed Address Pairs',
      'Provides allowed address pairs',
      '2013-07-23T10:00:00-00:00',
    ),
    ext(
      'provider',
      'Provider Network',
      'Expose mapping of virtual networks to physical networks',
      '2012-09-07T10:00:00-00:00',
    ),
    ext('net-mtu', 'Network MTU', 'Provides MTU attribute for a network resource.', '2015-03-25T10:00:00-00:00'),
    ext('port-security', 'Port Security', 'Provides port security', '2012-07-23T10:00:00-00:00'),
    ext(
      'ext-gw-mode',
      'Neutron L3 Configurable external gateway mode',
      'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway',
      '2013-03-28T10:00:00-00:00',
    ),
    ext(
      'fip-port-details',
      'Floating IP Port Details Extension',
      'Add port_details attribute to Floating IP resource',
      '2018-04-09T10:00:00-00:00',
    ),
    ext(
      'floatingip-pools',
      'Floating IP Pools Extension',
      'Provides a floating IP pools API.',
      '2018-03-21T10:00:00-00:00',
    ),
    ext(
      'standard-attr-description',
      'standard-attr-description',
      'Extension to add descriptions to standard attributes',
      '2016-02-10T10:00:00-00:00',
    ),
    ext(
      'standard-attr-timestamp',
      'Resource timestamps',
      'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.',
      '2016-09-12T10:00:00-00:00',
    ),
    ext(
      'standard-attr-revisions',
      'Resource revision numbers',
      'This extension will display the revision number of neutron resources.',
      '2016-04-11T10:00:00-00:00',
    ),
    ext(
      'project-id',
      'project_id field enabled',
      'Extension that indicates that project_id field is enabled.',
      '2016-09-09T09:09:09-09:09',
    ),
    ext(
      'pagination',
      'Pagination support',
      'Extension that indicates that pagination is enabled.',
      '2016-06-12T00:00:00-00:00',
    ),
    ext('sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.', '2016-06-12T00:00:00-00:00'),
    ext(
      'filter-validation',
      'Filter parameters validation',
      'Provides validation on filter parameters.',
      '2018-07-04T10:00:00-00:00',
    ),
  ];
}
export const EXTENSIONS = extensions(true);
