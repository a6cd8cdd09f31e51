// os-stop, os-start, reboot, pause, unpause, suspend, resume: 202, no body (nova servers.py
// _start_server/_stop_server/_action_reboot, pause_server.py, suspend_server.py).
import type { FastifyRequest } from 'fastify';
import type { InstanceRow } from '../../../../db/repositories/instances-repo.js';
import type { AuthContext } from '../../../../identity/auth-context.js';
import { ACCEPTED, type ActionGroup, type ServerAction } from './registry.js';

type PowerMethod = (auth: AuthContext, requestId: string, instance: InstanceRow) => Promise<void>;

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

export const powerActions: ActionGroup = (services) => {
  const power = services.serverActions.power;
  const simple = (name: string, fn: PowerMethod): ServerAction => ({
    name,
    handler: async (req: FastifyRequest, instance: InstanceRow) => {
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
        const type = String((arg as { type: string }).type).toUpperCase() as 'SOFT' | 'HARD';
        await power.reboot(req.auth, req.id, instance, type);
        return ACCEPTED;
      },
    },
  ];
};
