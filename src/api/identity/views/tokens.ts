// Keystone v3 token body, with the service catalog the clients need (compute at /compute/v2.1,
// image unversioned at /image, identity at /identity/v3).
import type { AuthContext } from '../../../identity/auth-context.js';
import { keystoneTime } from '../../../db/time.js';
import { imageEndpoint } from '../../urls.js';

export const REGION = 'RegionOne';

export function catalog(base: string) {
  const service = (type: string, name: string, url: string) => ({
    id: `${type}-service`,
    type,
    name,
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({
      id: `${type}-${iface}`,
      interface: iface,
      region: REGION,
      region_id: REGION,
      url,
    })),
  });
  return [
    service('identity', 'keystone', `${base}/identity/v3`),
    service('compute', 'nova', `${base}/compute/v2.1`),
    service('image', 'glance', imageEndpoint(base)),
    service('network', 'neutron', `${base}/networking`),
  ];
}

export function renderToken(
  ctx: AuthContext,
  base: string,
  domainNames: Record<string, string>,
  roleIds: Record<string, string>,
  withCatalog = true,
) {
  const token: Record<string, unknown> = {
    methods: ctx.methods,
    user: {
      id: ctx.userId,
      name: ctx.userName,
      domain: { id: ctx.userDomainId, name: domainNames[ctx.userDomainId] ?? ctx.userDomainId },
      password_expires_at: null,
    },
    audit_ids: [ctx.auditId],
    expires_at: keystoneTime(ctx.expiresAt),
    issued_at: keystoneTime(ctx.issuedAt),
  };
  if (ctx.projectId) {
    token.project = {
      id: ctx.projectId,
      name: ctx.projectName,
      domain: { id: ctx.projectDomainId, name: domainNames[ctx.projectDomainId ?? ''] ?? ctx.projectDomainId },
    };
    token.is_domain = false;
  }
  // Keystone shows which credential a token came from, and whether it may manage credentials.
  if (ctx.applicationCredential) {
    const c = ctx.applicationCredential;
    token.application_credential = { id: c.id, name: c.name, restricted: !c.unrestricted };
  }
  if (ctx.domainId) token.domain = { id: ctx.domainId, name: domainNames[ctx.domainId] ?? ctx.domainId };
  if (ctx.projectId || ctx.domainId) {
    token.roles = ctx.roles.map((name) => ({ id: roleIds[name] ?? name, name }));
    if (withCatalog) token.catalog = catalog(base);
  }
  return { token };
}
