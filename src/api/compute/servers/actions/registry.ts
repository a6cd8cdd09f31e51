// The server-action registry (nova wsgi `@wsgi.action`): action name → its versioned body schemas,
// the microversion range in which it exists, and its handler. Each action group lives in its own
// file in this folder, exports an `ActionGroup` and is listed in `./index.ts`; the dispatcher
// (`../server-actions.ts`) looks the body's single key up here.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../../../composition/services.js';
import type { InstanceRow } from '../../../../db/repositories/instances-repo.js';
import type { VersionedSchema } from '../../../../plugins/microversion.js';

/** What an action answers: 202 with no body for most, 200 with a body for a few (console output). */
export interface ActionResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ServerAction {
  /** the body key, e.g. "os-stop", "reboot" */
  name: string;
  /**
   * Schemas of the WHOLE body ({"reboot": {...}}) by microversion range, as Nova's
   * schemas/*.py are written; validated with `assertValid`, so errors read as Nova's.
   * Omitted: any value under the key is accepted (Nova's body-less actions take null or {}).
   */
  bodies?: VersionedSchema[];
  /** the action does not exist below / above these (404, as Nova's versioned action methods) */
  minVersion?: string;
  maxVersion?: string;
  /**
   * Does the work (through a compute-API method) for a server the caller may see. `arg` is the
   * value under the action's key. The route has already loaded `instance` (404 otherwise).
   */
  handler(req: FastifyRequest, instance: InstanceRow, arg: unknown): Promise<ActionResult>;
}

/** An action group: a function of the services that returns its actions. */
export type ActionGroup = (services: Services) => ServerAction[];

export class ActionRegistry {
  private readonly actions = new Map<string, ServerAction>();

  register(action: ServerAction): void {
    if (this.actions.has(action.name)) throw new Error(`server action ${action.name} is registered twice`);
    this.actions.set(action.name, action);
  }

  registerGroup(services: Services, group: ActionGroup): void {
    for (const a of group(services)) this.register(a);
  }

  get(name: string): ServerAction | undefined {
    return this.actions.get(name);
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }
}

/** A 202 with an empty body, the answer of most actions. */
export const ACCEPTED: ActionResult = { status: 202 };
