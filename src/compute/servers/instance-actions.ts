// Records instance actions and their events (os-instance-actions): the API starts an action in
// the same transaction that changes the server; the worker adds an event per step and finishes it.
import type { Db } from '../../db/knex.js';
import type { Clock } from '../../db/time.js';
import type { InstanceActionsRepo } from '../../db/repositories/instance-actions-repo.js';

export interface ActionStart {
  instanceUuid: string;
  action: string;
  requestId: string;
  userId: string | null;
  projectId: string | null;
}

export class InstanceActions {
  constructor(
    private readonly repo: InstanceActionsRepo,
    private readonly clock: Clock,
  ) {}

  async start(trx: Db, a: ActionStart): Promise<number> {
    const now = this.clock.now().toISOString();
    return this.repo.insert(
      {
        instance_uuid: a.instanceUuid,
        action: a.action,
        request_id: a.requestId,
        user_id: a.userId,
        project_id: a.projectId,
        start_time: now,
        finish_time: null,
        message: null,
        updated_at: now,
      },
      trx,
    );
  }

  /** Marks an action finished now, for one the API completes itself (confirmResize). */
  async markFinished(trx: Db, actionId: number): Promise<void> {
    await this.repo.update(actionId, { finish_time: this.clock.now().toISOString() }, trx);
  }

  /**
   * Runs `fn` as event `event` (e.g. compute__do_build_and_run_instance) of the action started by
   * `requestId`, recording Success or Error. Without a recorded action it just runs `fn`.
   */
  async event<T>(
    instanceUuid: string,
    requestId: string | null,
    event: string,
    host: string | null,
    fn: () => Promise<T>,
  ): Promise<T> {
    const action = requestId ? await this.repo.findByRequest(instanceUuid, requestId) : undefined;
    if (!action) return fn();
    const eventId = await this.repo.insertEvent({
      action_id: action.id,
      event,
      start_time: this.clock.now().toISOString(),
      finish_time: null,
      result: null,
      traceback: null,
      host,
      details: null,
    });
    try {
      const out = await fn();
      await this.finish(action.id, eventId, 'Success', null);
      return out;
    } catch (err) {
      await this.finish(action.id, eventId, 'Error', err instanceof Error ? err.message : String(err)).catch(
        () => undefined,
      );
      throw err;
    }
  }

  private async finish(actionId: number, eventId: number, result: string, details: string | null): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.repo.updateEvent(eventId, { finish_time: now, result, details });
    await this.repo.update(actionId, {
      finish_time: now,
      updated_at: now,
      message: result === 'Error' ? 'Error' : null,
    });
  }
}
