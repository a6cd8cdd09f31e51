export class InstanceActions {
    repo;
    clock;
    constructor(repo, clock) {
        this.repo = repo;
        this.clock = clock;
    }
    async start(trx, a) {
        const now = this.clock.now().toISOString();
        return this.repo.insert({
            instance_uuid: a.instanceUuid, action: a.action, request_id: a.requestId, user_id: a.userId, project_id: a.projectId,
            start_time: now, finish_time: null, message: null, updated_at: now,
        }, trx);
    }
    /**
     * Runs `fn` as event `event` (e.g. compute__do_build_and_run_instance) of the action started by
     * `requestId`, recording Success or Error. Without a recorded action it just runs `fn`.
     */
    async event(instanceUuid, requestId, event, host, fn) {
        const action = requestId ? await this.repo.findByRequest(instanceUuid, requestId) : undefined;
        if (!action)
            return fn();
        const eventId = await this.repo.insertEvent({
            action_id: action.id, event, start_time: this.clock.now().toISOString(), finish_time: null, result: null,
            traceback: null, host, details: null,
        });
        try {
            const out = await fn();
            await this.finish(action.id, eventId, 'Success', null);
            return out;
        }
        catch (err) {
            await this.finish(action.id, eventId, 'Error', err instanceof Error ? err.message : String(err)).catch(() => undefined);
            throw err;
        }
    }
    async finish(actionId, eventId, result, details) {
        const now = this.clock.now().toISOString();
        await this.repo.updateEvent(eventId, { finish_time: now, result, details });
        await this.repo.update(actionId, { finish_time: now, updated_at: now, message: result === 'Error' ? 'Error' : null });
    }
}
//# sourceMappingURL=instance-actions.js.map