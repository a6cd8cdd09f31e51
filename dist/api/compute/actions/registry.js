export class ActionRegistry {
    actions = new Map();
    register(action) {
        if (this.actions.has(action.name))
            throw new Error(`server action ${action.name} is registered twice`);
        this.actions.set(action.name, action);
    }
    registerGroup(services, group) {
        for (const a of group(services))
            this.register(a);
    }
    get(name) {
        return this.actions.get(name);
    }
    names() {
        return [...this.actions.keys()].sort();
    }
}
/** A 202 with an empty body, the answer of most actions. */
export const ACCEPTED = { status: 202 };
//# sourceMappingURL=registry.js.map