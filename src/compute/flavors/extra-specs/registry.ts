// Every extra spec Nova Zed knows, in the order Nova registers its validator modules
// (setup.cfg's nova.api.extra_spec_validators entry points), and the namespaces they claim.
// From microversion 2.86 a key in a claimed namespace must be one of these, with a valid value;
// keys in any other namespace (novadock:pids_limit, powervm:*, which Zed no longer knows) and
// keys without one stay free. After nova/api/validation/extra_specs/validators.py.
import { HW_RNG_SPECS, HW_VIDEO_SPECS } from './hw-devices.js';
import { HW_SPECS } from './hw.js';
import { OS_SPECS } from './os.js';
import { ACCEL_SPECS, PCI_PASSTHROUGH_SPECS, VMWARE_SPECS } from './other-drivers.js';
import { RESOURCES_SPECS, TRAIT_SPECS } from './placement.js';
import { QUOTA_SPECS } from './quota.js';
import { AGGREGATE_INSTANCE_EXTRA_SPECS_SPECS, CAPABILITIES_SPECS } from './scheduler-filters.js';
import type { KnownSpec } from './types.js';
import { UNNAMESPACED_SPECS } from './unnamespaced.js';

export const KNOWN_SPECS: readonly KnownSpec[] = [
  ...ACCEL_SPECS,
  ...AGGREGATE_INSTANCE_EXTRA_SPECS_SPECS,
  ...CAPABILITIES_SPECS,
  ...HW_SPECS,
  ...HW_RNG_SPECS,
  ...HW_VIDEO_SPECS,
  ...UNNAMESPACED_SPECS,
  ...OS_SPECS,
  ...PCI_PASSTHROUGH_SPECS,
  ...QUOTA_SPECS,
  ...RESOURCES_SPECS,
  ...TRAIT_SPECS,
  ...VMWARE_SPECS,
];

export interface CompiledSpec {
  spec: KnownSpec;
  /** the name template with its params substituted, matched against the whole key */
  name: RegExp;
}

/** The template with each `{param}` replaced by its regex (Nova: ExtraSpecValidator.name_regex). */
function substituteParams(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, param: string) => (param in params ? `(?:${params[param]})` : whole));
}

const fullMatch = (source: string) => new RegExp(`^(?:${source})$`);

export const COMPILED_SPECS: readonly CompiledSpec[] = KNOWN_SPECS.map((spec) => ({
  spec,
  name: fullMatch(substituteParams(spec.name, spec.params)),
}));

/** Specs whose name has no parameter, by name: the fast path before the linear search, as in Nova. */
export const SPECS_BY_NAME: ReadonlyMap<string, CompiledSpec> = new Map(
  COMPILED_SPECS.filter((c) => !c.spec.params).map((c) => [c.spec.name, c]),
);

/**
 * The namespaces: the part of each template before its first `:`, as a regex (`hw`, `quota`,
 * `resources` plus an optional group suffix, …). Taken from the template rather than the
 * compiled regex, whose `(?:` groups have colons of their own.
 */
export const NAMESPACES: readonly RegExp[] = [
  ...new Set(
    KNOWN_SPECS.filter((s) => s.name.includes(':')).map((s) => substituteParams(s.name.split(':')[0], s.params)),
  ),
].map(fullMatch);
