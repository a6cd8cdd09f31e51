import { getSerialConsoleSchema, legacyConsoleSchemas } from './action-schemas-2.js';
import { serialConsoleUrl } from '../remote-consoles.js';
export const serialConsoleActions = (services) => {
    const consoles = services.serialConsoles;
    const legacy = Object.entries(legacyConsoleSchemas).map(([name, { protocol, schema }]) => ({
        name,
        maxVersion: '2.5',
        bodies: [{ min: '2.1', max: '2.5', schema }],
        handler: async (req, instance, arg) => {
            await consoles.create(req.auth, instance, protocol, String(arg.type));
            throw new Error('unreachable: only serial consoles are served');
        },
    }));
    return [{
            name: 'os-getSerialConsole',
            maxVersion: '2.5',
            bodies: [{ min: '2.1', max: '2.5', schema: getSerialConsoleSchema }],
            handler: async (req, instance) => {
                const grant = await consoles.create(req.auth, instance, 'serial', 'serial');
                return { status: 200, body: { console: { type: 'serial', url: serialConsoleUrl(req, services.config.publicUrl, grant.token) } } };
            },
        }, ...legacy];
};
//# sourceMappingURL=serial-console.js.map