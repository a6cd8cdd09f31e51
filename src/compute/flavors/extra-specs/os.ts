// `os:` extra specs (nova/api/validation/extra_specs/os.py, Zed): Hyper-V guest options.
import type { KnownSpec } from './types.js';

export const OS_SPECS: readonly KnownSpec[] = [
  { name: 'os:secure_boot', value: { type: 'str', enum: ['disabled', 'required'] } },
  {
    name: 'os:resolution',
    value: { type: 'str', enum: ['1024x768', '1280x1024', '1600x1200', '1920x1200', '2560x1600', '3840x2160'] },
  },
  { name: 'os:monitors', value: { type: 'int', min: 1, max: 8 } },
  // A number in MB, but Nova lists the allowed amounts as strings.
  { name: 'os:vram', value: { type: 'str', enum: ['64', '128', '256', '512', '1024'] } },
];
