// Per-server mutex (nova utils.synchronized(instance.uuid)): work on one server runs one piece at a
// time, in the order it asked, inside this process. Across processes the task lease does the same.
export class InstanceLocks {
    tails = new Map();
    async run(key, fn) {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release;
        const mine = new Promise((r) => { release = r; });
        const tail = previous.then(() => mine);
        this.tails.set(key, tail);
        await previous;
        try {
            return await fn();
        }
        finally {
            release();
            if (this.tails.get(key) === tail)
                this.tails.delete(key);
        }
    }
    isBusy(key) { return this.tails.has(key); }
}
//# sourceMappingURL=instance-locks.js.map