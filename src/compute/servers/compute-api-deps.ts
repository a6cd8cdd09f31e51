// What the server operations (compute-api.ts, create-server.ts) are built on, in one type both share.
import type { Database } from '../../db/knex.js';
import type { Clock } from '../../db/time.js';
import type { InstancesRepo } from '../../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo.js';
import type { InstanceTagsRepo } from '../../db/repositories/instance-tags-repo.js';
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { TaskQueue } from '../tasks.js';
import type { InstanceActions } from './instance-actions.js';
import type { RequestedNetworks } from '../network/requested-networks.js';
import type { NovaNetwork } from '../network/nova-network.js';
import type { FlavorPort, ImagePort, KeypairPort, QuotaPort, ServerGroupPort } from '../ports.js';
import type { ServerExtrasLoader } from './server-extras.js';

export interface ComputeApiDeps {
  db: Database;
  clock: Clock;
  instances: InstancesRepo;
  metadata: InstanceMetadataRepo;
  tags: InstanceTagsRepo;
  hostsRepo: HostsRepo;
  worker: TaskQueue;
  actions: InstanceActions;
  flavors: FlavorPort;
  images: ImagePort;
  quotas: QuotaPort;
  keypairs: KeypairPort;
  serverGroups?: ServerGroupPort;
  /** the row and view extras of one server in one read (GET /servers/{id}) */
  extras: Pick<ServerExtrasLoader, 'findWithExtras'>;
  /** Nova's create-time checks of `networks` and `security_groups` against the network service */
  requestedNetworks: RequestedNetworks;
  /** deallocate_for_instance (compute/network/nova-network.ts): a local delete releases the server's ports */
  ports: Pick<NovaNetwork, 'deallocate'>;
}
