// os-getConsoleOutput: 200 {"output": "..."} (nova console_output.py, schemas/console_output.py).
import type { ActionGroup } from './registry.js';
import { parseConsoleLength } from '../../../../compute/servers/actions/console-output.js';

const getConsoleOutputSchema = {
  type: 'object',
  properties: {
    'os-getConsoleOutput': {
      type: 'object',
      properties: {
        // -1 means all; null too (kept from v2); numeric strings are accepted as Nova does.
        length: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$', minimum: -1 },
      },
      additionalProperties: false,
    },
  },
  required: ['os-getConsoleOutput'],
  additionalProperties: false,
};

export const consoleOutputActions: ActionGroup = (services) => [
  {
    name: 'os-getConsoleOutput',
    bodies: [{ min: '2.1', schema: getConsoleOutputSchema }],
    handler: async (req, instance, arg) => {
      const length = parseConsoleLength((arg as { length?: unknown }).length);
      const output = await services.serverActions.consoleOutput.get(req.auth, instance, length);
      return { status: 200, body: { output } };
    },
  },
];
