// /os-instance_usage_audit_log (admin): the usage audit of the last completed period, now or
// before a given time (nova/api/openstack/compute/instance_usage_audit_log.py). Thin: the period
// and the per-host picture come from compute/usage/usage-audit-log.ts; the hosts are the nova-compute
// services (`nova instance-usage-audit-log [--before]`).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { buildUsageAuditLog, parseAuditBefore } from '../../../compute/usage/usage-audit-log.js';
import { COMPUTE_PREFIX } from '../../urls.js';

const doc = (summary: string) => ({ tags: ['compute'], summary });

export async function instanceUsageAuditLogRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { hostOverview, clock } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-instance_usage_audit_log`;
  const computeHosts = async () => (await hostOverview.list({ binary: 'nova-compute' })).map((s) => s.host);

  app.get(base, { schema: doc('Show the usage audit of the last completed period (admin)') }, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-instance-usage-audit-log:list');
    return { instance_usage_audit_logs: buildUsageAuditLog(await computeHosts(), clock.now()) };
  });

  app.get<{ Params: { before: string } }>(
    `${base}/:before`,
    {
      schema: doc(
        'Show the usage audit of the last period completed before a time (admin; "YYYY-MM-DD HH:MM:SS[.ffffff]")',
      ),
    },
    async (req) => {
      authorize(req.auth, 'admin', 'os_compute_api:os-instance-usage-audit-log:show');
      const before = parseAuditBefore(req.params.before);
      return { instance_usage_audit_log: buildUsageAuditLog(await computeHosts(), before) };
    },
  );
}
