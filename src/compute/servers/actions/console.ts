// The consoles: serial (nova remote-consoles with protocol/type "serial", and the deprecated
// os-getSerialConsole action) and the browser console (vnc/novnc, and os-getVNCConsole novnc). Both
// are an interactive shell with a TTY in the container (docker exec /bin/sh), reached through a
// websocket whose URL carries a one-time token; a novnc grant's URL is a terminal page served by the
// service (api/compute/servers/console-page.ts) that opens that websocket. Tokens are random, stored
// only as a SHA-256 hash, expire after CONSOLE_TOKEN_TTL_S and are consumed by the first connection
// (nova console_auth_tokens); loading the page does not consume its token.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../../db/time.js';
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import type { InstanceRow, InstancesRepo } from '../../../db/repositories/instances-repo.js';
import type { ConsoleTokensRepo } from '../../../db/repositories/console-tokens-repo.js';
import type { HostRegistry } from '../../hosts/host-registry.js';
import type { ExecSession } from '../../../virt/driver.js';
import { BadRequest, Conflict, NotFound, Unauthorized, InstanceNotReady } from '../../../errors.js';
import { TaskState, VmState } from '../states.js';
import { assertHostUp, type HostDown } from './host-up.js';

export const CONSOLE_TOKEN_TTL_S = 600;
export const SERIAL_CONSOLE_PATH = '/compute/console/serial';
/** The browser terminal page that vnc/novnc grants point at. */
export const TERMINAL_PAGE_PATH = '/compute/console/terminal';

/** The protocol/type pairs served: serial/serial (a websocket) and vnc/novnc (the terminal page). */
const SERVED = new Set(['serial/serial', 'vnc/novnc']);
/** nova's action names in its task-state conflict message (compute/api.py get_*_console). */
const ACTION_BY_PROTOCOL: Record<string, string> = { serial: 'get_serial_console', vnc: 'get_vnc_console' };

/** Console types per protocol (nova get_*_console). */
const TYPES_BY_PROTOCOL: Record<string, string[]> = {
  vnc: ['novnc', 'xvpvnc'],
  spice: ['spice-html5'],
  rdp: ['rdp-html5'],
  serial: ['serial'],
  mks: ['webmks'],
};

export interface ConsoleGrant {
  token: string;
  expiresAt: Date;
}
/** What a token is now, without taking it: the terminal page says which. */
export type TokenState = 'valid' | 'used' | 'expired' | 'unknown' | 'gone';

export interface ConsoleConnection {
  instance: InstanceRow;
  expiresAt: Date;
  open(): Promise<ExecSession>;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export class SerialConsoles {
  constructor(
    private readonly tokens: ConsoleTokensRepo,
    private readonly clock: Clock,
    private readonly instances: InstancesRepo,
    private readonly hosts: HostRegistry,
    private readonly hostDown?: HostDown,
  ) {}

  /** nova ConsoleTypeInvalid / ConsoleTypeUnavailable (400) unless serial/serial or vnc/novnc; InstanceNotReady (409). */
  async create(auth: AuthContext, row: InstanceRow, protocol: string, type: string): Promise<ConsoleGrant> {
    authorize(auth, 'write', 'os_compute_api:os-remote-consoles');
    const types = TYPES_BY_PROTOCOL[protocol];
    if (!types || !types.includes(type)) throw new BadRequest(`Invalid console type ${type}`);
    if (!SERVED.has(`${protocol}/${type}`)) throw new BadRequest(`Unavailable console type ${type}.`);
    if (row.task_state === TaskState.DELETING || row.task_state === TaskState.MIGRATING) {
      throw new Conflict(
        `Cannot '${ACTION_BY_PROTOCOL[protocol]}' instance ${row.uuid} while it is in task_state ${row.task_state}`,
      );
    }
    if (row.vm_state !== VmState.ACTIVE || row.host_id === null) throw InstanceNotReady(row.uuid);
    await assertHostUp(this.hostDown, row, 'get_serial_console');
    const token = randomBytes(24).toString('hex');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + CONSOLE_TOKEN_TTL_S * 1000);
    await this.tokens.insert({
      token_hash: hash(token),
      instance_uuid: row.uuid,
      console_type: type,
      expires_at: expiresAt.toISOString(),
      created_at: now.toISOString(),
      used: false,
    });
    return { token, expiresAt };
  }

  /** Takes the token (once); undefined when unknown, used, expired or the server is gone. */
  async consume(token: string): Promise<ConsoleConnection | undefined> {
    const now = this.clock.now().toISOString();
    if (!(await this.tokens.consume(hash(token), now))) return undefined;
    const t = (await this.tokens.find(hash(token)))!;
    const instance = await this.instances.findByUuid(t.instance_uuid);
    if (!instance || instance.deleted || instance.host_id === null) return undefined;
    const hostId = instance.host_id;
    return {
      instance,
      expiresAt: new Date(t.expires_at),
      open: async () => (await this.hosts.driverFor(hostId)).exec(instance.uuid, ['/bin/sh']),
    };
  }

  /** The token's state without taking it (the terminal page's first check; the websocket still decides). */
  async peek(token: string): Promise<TokenState> {
    const t = await this.tokens.find(hash(token));
    if (!t) return 'unknown';
    if (t.used) return 'used';
    if (t.expires_at <= this.clock.now().toISOString()) return 'expired';
    const instance = await this.instances.findByUuid(t.instance_uuid);
    if (!instance || instance.deleted || instance.host_id === null) return 'gone';
    return 'valid';
  }

  /** Whether the server behind a console may keep it open (running, not deleted). */
  async stillServing(uuid: string): Promise<boolean> {
    const row = await this.instances.findByUuid(uuid);
    return !!row && !row.deleted && row.vm_state === VmState.ACTIVE && row.task_state !== TaskState.DELETING;
  }

  /** GET /os-console-auth-tokens/{token} (admin): what the token connects to, without using it. */
  async describe(
    token: string,
    minVersion231: boolean,
  ): Promise<{ instance_uuid: string; host: string | null; port: number; internal_access_path: string | null }> {
    const t = await this.tokens.find(hash(token));
    if (!t || t.expires_at <= this.clock.now().toISOString() || Boolean(t.used)) throw new NotFound('Token not found');
    // nova: below 2.31 only rdp-html5 token details are accessible.
    if (!minVersion231) throw new Unauthorized('The requested console type details are not accessible');
    return {
      instance_uuid: t.instance_uuid,
      host: null,
      port: 0,
      internal_access_path: t.console_type === 'novnc' ? TERMINAL_PAGE_PATH : SERIAL_CONSOLE_PATH,
    };
  }
}
