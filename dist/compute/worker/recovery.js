import { TaskState, VmState } from '../states.js';
import { DELETE_TASK } from '../manager/delete.js';
export async function recoverInterrupted(db, clock, worker, faults) {
    const orphans = await db('instances')
        .where({ deleted: false })
        .where((w) => w.where('vm_state', VmState.BUILDING).orWhere('task_state', TaskState.DELETING))
        .whereNotExists(db('compute_tasks').whereRaw('compute_tasks.instance_uuid = instances.uuid'))
        .select('uuid', 'vm_state', 'task_state');
    let failed = 0;
    let requeued = 0;
    for (const o of orphans) {
        const now = clock.now().toISOString();
        if (o.task_state === TaskState.DELETING) {
            await worker.enqueue(db, { instanceUuid: o.uuid, kind: DELETE_TASK });
            requeued++;
            continue;
        }
        const n = await db('instances').where({ uuid: o.uuid, vm_state: VmState.BUILDING, deleted: false })
            .update({ vm_state: VmState.ERROR, task_state: null, updated_at: now });
        if (n) {
            await faults.add({ instance_uuid: o.uuid, code: 500, message: 'Build of instance was interrupted (the service restarted) and cannot resume.', details: null, host: null, created_at: now });
            failed++;
        }
    }
    return { failed, requeued };
}
//# sourceMappingURL=recovery.js.map