import { ACCEPTED } from './registry.js';
/** nova schemas/servers.py reboot */
const rebootSchema = {
    type: 'object',
    properties: {
        reboot: {
            type: 'object',
            properties: { type: { type: 'string', enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] } },
            required: ['type'],
            additionalProperties: false,
        },
    },
    required: ['reboot'],
    additionalProperties: false,
};
export const powerActions = (services) => {
    const power = services.serverActions.power;
    const simple = (name, fn) => ({
        name,
        handler: async (req, instance) => {
            await fn.call(power, req.auth, req.id, instance);
            return ACCEPTED;
        },
    });
    return [
        simple('os-stop', power.stop),
        simple('os-start', power.start),
        simple('pause', power.pause),
        simple('unpause', power.unpause),
        simple('suspend', power.suspend),
        simple('resume', power.resume),
        {
            name: 'reboot',
            bodies: [{ min: '2.1', schema: rebootSchema }],
            handler: async (req, instance, arg) => {
                const type = String(arg.type).toUpperCase();
                await power.reboot(req.auth, req.id, instance, type);
                return ACCEPTED;
            },
        },
    ];
};
//# sourceMappingURL=power.js.map