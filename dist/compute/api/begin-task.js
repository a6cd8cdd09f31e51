export async function beginTask(d, auth, requestId, row, t) {
    await d.db.transaction(async (trx) => {
        if (t.within)
            await t.within(trx);
        await d.instances.updateWithExpectedTaskState(row.uuid, {
            ...(t.changes ?? {}), task_state: t.taskState, updated_at: d.clock.now().toISOString(),
        }, [null], trx);
        await d.actions.start(trx, { instanceUuid: row.uuid, action: t.action, requestId, userId: auth.userId, projectId: auth.projectId });
        await d.worker.enqueue(trx, { instanceUuid: row.uuid, kind: t.kind, payload: t.payload ?? {}, requestId });
    });
}
//# sourceMappingURL=begin-task.js.map