// The aggregate document (nova aggregates.py _marshall_aggregate).
import type { Aggregate } from '../../../compute/hosts/aggregates.js';
import { naiveMicros } from './compute-services-views.js';

/** nova _marshall_aggregate: the object's fields, uuid from 2.41; create leaves out hosts and metadata. */
export function renderAggregate(a: Aggregate, v: { gte(x: string): boolean }, opts: { brief?: boolean } = {}) {
  return {
    availability_zone: a.availabilityZone,
    created_at: naiveMicros(a.createdAt),
    deleted: false,
    deleted_at: null,
    ...(opts.brief ? {} : { hosts: a.hosts, metadata: a.metadata }),
    id: a.id,
    name: a.name,
    updated_at: naiveMicros(a.updatedAt),
    ...(v.gte('2.41') ? { uuid: a.uuid } : {}),
  };
}
