// Nova's image proxy views (nova/api/openstack/compute/views/images.py): Glance images shown in
// Nova's vocabulary (minRam, minDisk, metadata, ACTIVE/SAVING status, progress).
import { type ImageRow, imageProperties } from '../../../db/repositories/images-repo.js';
import { novaTime } from '../../../db/time.js';

const STATUS: Record<string, string> = {
  active: 'ACTIVE',
  queued: 'SAVING',
  saving: 'SAVING',
  deleted: 'DELETED',
  pending_delete: 'DELETED',
  killed: 'ERROR',
};
const PROGRESS: Record<string, number> = { queued: 25, saving: 50, active: 100 };

export const novaImageStatus = (status: string) => STATUS[status] ?? 'UNKNOWN';

function links(base: string, id: string) {
  return [
    { rel: 'self', href: `${base}/compute/v2.1/images/${id}` },
    { rel: 'bookmark', href: `${base}/compute/images/${id}` },
    { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${base}/image/images/${id}` },
  ];
}

export function renderImageBasic(base: string, row: ImageRow) {
  return { id: row.id, name: row.name, links: links(base, row.id) };
}

export function renderImageDetail(base: string, row: ImageRow) {
  const props = imageProperties(row);
  const out: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    minRam: row.min_ram,
    minDisk: row.min_disk,
    metadata: props,
    created: novaTime(row.created_at),
    updated: novaTime(row.updated_at),
    status: novaImageStatus(row.status),
    progress: PROGRESS[row.status] ?? 0,
    'OS-EXT-IMG-SIZE:size': row.size,
  };
  if (props.instance_uuid) {
    out.server = {
      id: props.instance_uuid,
      links: [
        { rel: 'self', href: `${base}/compute/v2.1/servers/${props.instance_uuid}` },
        { rel: 'bookmark', href: `${base}/compute/servers/${props.instance_uuid}` },
      ],
    };
  }
  out.links = links(base, row.id);
  return out;
}
