// The servers list's parameter vocabulary as Nova defines it (nova api/openstack/compute/servers.py):
// the sort keys and the filters a non-admin may use, per microversion.

/** nova VALID_SORT_KEYS, in Nova's order (the 400 message lists them). */
export const VALID_SORT_KEYS = [
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'availability_zone',
  'config_drive',
  'created_at',
  'display_description',
  'display_name',
  'host',
  'hostname',
  'image_ref',
  'instance_type_id',
  'kernel_id',
  'key_name',
  'launch_index',
  'launched_at',
  'locked_by',
  'node',
  'power_state',
  'progress',
  'project_id',
  'ramdisk_id',
  'root_device_name',
  'task_state',
  'terminated_at',
  'updated_at',
  'user_id',
  'uuid',
  'vm_state',
  'architecture',
  'cell_name',
  'cleaned',
  'default_ephemeral_device',
  'default_swap_device',
  'deleted',
  'deleted_at',
  'disable_terminate',
  'ephemeral_gb',
  'ephemeral_key_uuid',
  'id',
  'key_data',
  'launched_on',
  'locked',
  'memory_mb',
  'os_type',
  'reservation_id',
  'root_gb',
  'shutdown_terminate',
  'user_data',
  'vcpus',
  'vm_mode',
];
/** Sort keys a non-admin may not use (nova SERVER_LIST_IGNORE_SORT_KEY): dropped silently. */
export const ADMIN_SORT_KEYS = ['host', 'node'];

/** Non-admin filters (nova servers.py: the user's whitelist; 2.83 widens it). */
export const USER_FILTERS = [
  'reservation_id',
  'name',
  'status',
  'image',
  'flavor',
  'ip',
  'changes-since',
  'all_tenants',
];
export const USER_FILTERS_226 = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];
export const USER_FILTERS_283 = [
  'availability_zone',
  'config_drive',
  'key_name',
  'created_at',
  'launched_at',
  'terminated_at',
  'power_state',
  'task_state',
  'vm_state',
  'progress',
  'user_id',
];

/** 2.90: non-admins may filter on hostname. */
export const USER_FILTERS_290 = ['hostname'];
