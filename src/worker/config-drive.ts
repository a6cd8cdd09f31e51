// The config drive: what cloud-init would read from a VM's config drive, as a read-only host
// directory mounted into the container. Layout follows OpenStack's:
//   /mnt/config/openstack/latest/meta_data.json, /mnt/config/openstack/latest/user_data
// and the key pair goes to /root/.ssh/authorized_keys (a second read-only mount).
// The directories live under <dataDir>/config-drives/<uuid>/ and are removed with the server.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InstanceRow } from '../db/repositories/instances-repo.js';

export const CONFIG_DRIVE_MOUNT = '/mnt/config';
/** Nova's [api] dhcp_domain default: the metadata hostname is the instance's, qualified with it. */
const DHCP_DOMAIN = 'novalocal';
export const SSH_MOUNT = '/root/.ssh';

export interface DriveMount {
  source: string;
  target: string;
  readOnly: true;
}

export class ConfigDrives {
  constructor(private readonly dataDir: string) {}

  dirOf(uuid: string): string {
    return path.join(this.dataDir, 'config-drives', uuid);
  }

  /** Writes the drive for `instance`; returns the mounts for the container. */
  async write(instance: InstanceRow, metadata: Record<string, string>): Promise<DriveMount[]> {
    const root = this.dirOf(instance.uuid);
    const latest = path.join(root, 'drive', 'openstack', 'latest');
    await fs.mkdir(latest, { recursive: true });
    const keys = instance.key_name && instance.key_data ? { [instance.key_name]: instance.key_data.trim() } : {};
    const metaData = {
      uuid: instance.uuid,
      name: instance.display_name,
      // nova api/metadata/base.py _get_hostname: what cloud-init sets as the FQDN
      hostname: `${instance.hostname}.${DHCP_DOMAIN}`,
      launch_index: instance.launch_index,
      availability_zone: instance.availability_zone,
      project_id: instance.project_id,
      meta: metadata,
      public_keys: keys,
      ...(instance.key_name && instance.key_data
        ? { keys: [{ name: instance.key_name, type: 'ssh', data: instance.key_data.trim() }] }
        : {}),
    };
    await fs.writeFile(path.join(latest, 'meta_data.json'), JSON.stringify(metaData));
    if (instance.user_data)
      await fs.writeFile(path.join(latest, 'user_data'), Buffer.from(instance.user_data, 'base64'));
    const mounts: DriveMount[] = [{ source: path.join(root, 'drive'), target: CONFIG_DRIVE_MOUNT, readOnly: true }];
    if (instance.key_data) {
      const ssh = path.join(root, 'ssh');
      await fs.mkdir(ssh, { recursive: true, mode: 0o700 });
      await fs.writeFile(path.join(ssh, 'authorized_keys'), `${instance.key_data.trim()}\n`, { mode: 0o600 });
      mounts.push({ source: ssh, target: SSH_MOUNT, readOnly: true });
    }
    return mounts;
  }

  async remove(uuid: string): Promise<void> {
    await fs.rm(this.dirOf(uuid), { recursive: true, force: true });
  }
}
