// Nova's side of a server's ports (instance_interfaces): the order, who made each port, the device
// tag; and the few port writes Nova does as one conditional statement (binding a port the user passed
// only when it is still free, so two servers cannot take one port).
import { isSqlite, type Db } from '../knex.js';
import { sql } from '../sql.js';
import { inList } from './instance-view-queries.js';
import { readConnection } from '../sqlite-client.js';

export interface InstanceInterfaceRow {
  port_id: string;
  instance_uuid: string;
  position: number;
  /** the user passed the port: unbound and kept when the server goes */
  preserve_on_delete: boolean;
  tag: string | null;
  created_at: string;
}

const mapRow = (r: Record<string, unknown>): InstanceInterfaceRow => ({
  ...(r as unknown as InstanceInterfaceRow),
  position: Number(r.position),
  preserve_on_delete: r.preserve_on_delete === true || r.preserve_on_delete === 1 || r.preserve_on_delete === '1',
});

/** What Nova writes on a port it binds to a server. */
export interface PortBinding {
  device_id: string;
  device_owner: string;
  binding_host_id: string;
}

export class InstanceInterfacesRepo {
  constructor(private readonly db: Db) {}

  async list(instanceUuid: string, trx: Db = this.db): Promise<InstanceInterfaceRow[]> {
    const rows = await sql(trx)('instance_interfaces').where({ instance_uuid: instanceUuid }).orderBy('position');
    return rows.map(mapRow);
  }

  async find(portId: string, trx: Db = this.db): Promise<InstanceInterfaceRow | undefined> {
    const r = await sql(trx)('instance_interfaces').where({ port_id: portId }).first();
    return r ? mapRow(r) : undefined;
  }

  async insert(row: InstanceInterfaceRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('instance_interfaces').insert(row);
  }

  async nextPosition(instanceUuid: string, trx: Db = this.db): Promise<number> {
    const r = await sql(trx)('instance_interfaces')
      .where({ instance_uuid: instanceUuid })
      .max({ m: 'position' })
      .first();
    const m = (r as { m: number | string | null } | undefined)?.m;
    return m === null || m === undefined ? 0 : Number(m) + 1;
  }

  async delete(portId: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('instance_interfaces').where({ port_id: portId }).delete();
  }

  /**
   * Binds a port to a device only while nobody holds it (device_id ''), in one statement: of two
   * servers given one port, exactly one gets it. False when it was taken (or is gone).
   */
  async claimPort(portId: string, b: PortBinding, now: string, trx: Db = this.db): Promise<boolean> {
    const n = await sql(trx)('neutron_ports')
      .where({ id: portId, device_id: '' })
      .update({ ...b, updated_at: now })
      .increment('revision_number', 1);
    return Number(n) === 1;
  }

  /**
   * Nova's unbind (device_id '', device_owner '', binding:host_id cleared) of a port still bound to
   * this device; a port someone else holds by now is left alone.
   */
  async releasePort(portId: string, deviceId: string, now: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_ports')
      .where({ id: portId, device_id: deviceId })
      .update({ device_id: '', device_owner: '', binding_host_id: '', host_id: null, status: 'DOWN', updated_at: now })
      .increment('revision_number', 1);
  }

  /** The names of the security groups of each server's ports, port by port as Nova lists them (a group on two ports twice). */
  async securityGroupNames(uuids: string[], trx: Db = this.db): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!uuids.length) return out;
    // One statement whatever the number of servers, the uuids bound as one parameter; on SQLite
    // outside a transaction a prepared statement of the read connection (no knex compile per
    // request: GET /servers/{id} runs this every time).
    const devices = inList(trx, 'p.device_id', uuids);
    const query = `select p.device_id, g.name from neutron_ports p
        join neutron_port_security_groups ps on ps.port_id = p.id
        join neutron_security_groups g on g.id = ps.security_group_id
       where ${devices.sql}
       order by p.device_id, p.created_at, p.id, g.name`;
    const direct = readConnection(sql(trx));
    type Row = { device_id: string; name: string };
    let rows: Row[];
    if (direct) rows = direct.all<Row>(query, [devices.binding]);
    else {
      const result = (await sql(trx).raw(query, [devices.binding])) as unknown;
      rows = (isSqlite(trx) ? result : (result as { rows: unknown[] }).rows) as Row[];
    }
    for (const r of rows) (out.get(r.device_id) ?? out.set(r.device_id, []).get(r.device_id)!).push(r.name);
    return out;
  }

  /** PostgreSQL: one network change of a server at a time (its info cache is read and written whole). */
  async lockInstance(instanceUuid: string, trx: Db): Promise<void> {
    if (!isSqlite(trx)) await sql(trx)('instances').where({ uuid: instanceUuid }).forUpdate().select('uuid');
  }
}
