import { assertLaunched, assertNotLocked, assertState } from '../guards.js';
import { Conflict } from '../../errors.js';
/** Guards, claims, records and enqueues; throws Nova's 409s. Returns the claimed row. */
export async function beginAction(d, s) {
    if (s.checkLock !== false)
        assertNotLocked(s.instance, s.auth);
    const taskStates = s.taskStates ?? [null];
    assertState(s.instance, { vmState: s.vmStates, taskState: taskStates === 'any' ? undefined : taskStates }, s.method);
    if (s.vmStates && s.mustHaveLaunched !== false)
        assertLaunched(s.instance, s.method);
    // Work for a host whose engine does not answer would only fail later: refuse it now, with the
    // reason (issue 8, test/reliability/docker-down.test.ts). Delete does not come through here.
    if (s.task && s.instance.host_id !== null && d.hostDown) {
        const down = await d.hostDown(s.instance.host_id);
        if (down)
            throw new Conflict(`Cannot '${s.method}' instance ${s.instance.uuid}: Compute service of ${down} is unavailable at this time.`);
    }
    const now = d.clock.now().toISOString();
    const changes = { ...s.changes, updated_at: now };
    if (s.taskState !== null || s.task)
        changes.task_state = s.taskState;
    await d.db.transaction(async (trx) => {
        if (taskStates === 'any')
            await d.instances.update(s.instance.uuid, changes, trx);
        else
            await d.instances.updateWithExpectedTaskState(s.instance.uuid, changes, taskStates, trx);
        await d.actions.start(trx, {
            instanceUuid: s.instance.uuid, action: s.action, requestId: s.requestId, userId: s.auth.userId, projectId: s.auth.projectId,
        });
        if (s.task) {
            await d.worker.enqueue(trx, { instanceUuid: s.instance.uuid, kind: s.task.kind, payload: s.task.payload, requestId: s.requestId });
        }
    });
    return { ...s.instance, ...changes };
}
//# sourceMappingURL=begin-action.js.map