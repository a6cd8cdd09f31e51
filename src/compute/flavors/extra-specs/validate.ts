// The check Nova runs on each extra spec from microversion 2.86 (nova validators.validate).
import { COMPILED_SPECS, NAMESPACES, SPECS_BY_NAME } from './registry.js';
import { valueProblem } from './value-rules.js';

/**
 * Nova's 400 message for the extra spec `name=value`, or undefined when it is acceptable: a
 * known spec with a valid value, or a key outside every known namespace.
 */
export function extraSpecProblem(name: string, value: string): string | undefined {
  const known = SPECS_BY_NAME.get(name) ?? COMPILED_SPECS.find((c) => c.name.test(name));
  if (known) return valueProblem(known.spec.value, value);
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const namespace = name.slice(0, colon);
  if (!NAMESPACES.some((ns) => ns.test(namespace))) return undefined;
  return `Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`;
}
