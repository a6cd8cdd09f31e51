// Request validation: one strict Ajv instance, validators compiled once at boot, and messages in
// Nova's wording ("Invalid input for field/attribute server. Value: {...}. 'name' is a required
// property"), so clients and people see what real Nova would have said.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { BadRequest, additionalPropertyMessage, pyRepr } from '../errors.js';
import { UUID_LIKE } from '../contract/parameter-types.js';

export const ajv = new Ajv({
  allErrors: false,
  removeAdditional: false, // Nova answers 400 to an unknown key; never strip it silently.
  coerceTypes: false,
  useDefaults: false,
  verbose: true, // keeps the failing value on each error, for the message
  strict: false,
});
// CommonJS typed as a namespace under NodeNext; the plugin function carries itself as `default`.
ajvFormats.default(ajv);
// Nova accepts any UUID spelling its regexp accepts (with or without dashes is rejected): keep it simple.
ajv.addFormat('uuid', UUID_LIKE);

const cache = new WeakMap<object, ValidateFunction>();

/** Compile (once per schema object) and return the validator. */
export function compile(schema: object): ValidateFunction {
  const cached = cache.get(schema);
  if (cached) return cached;
  const v = ajv.compile(schema);
  cache.set(schema, v);
  return v;
}

/** Route validators compiled at their first use: compiling every route schema at boot (the large
 * server-create ones among them) cost about 200 ms of start-up, before the first request. */
export type LazyValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const routeSchemas = new Set<object>();

export function lazyValidator(schema: object): LazyValidator {
  routeSchemas.add(schema);
  let compiled: ValidateFunction | undefined;
  const validate: LazyValidator = (data) => {
    const v = (compiled ??= compile(schema));
    const ok = v(data);
    validate.errors = v.errors;
    return ok;
  };
  return validate;
}

/** Every route schema handed out so far, compiled now (a test proves they all compile). */
export function compileRouteSchemas(): number {
  for (const schema of routeSchemas) compile(schema);
  return routeSchemas.size;
}

/** Python's str(): strings bare, everything else as repr (how Nova prints "Value: …"). */
function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** jsonschema's message for one failed keyword, as python-jsonschema words it. */
function keywordMessage(e: ErrorObject): string {
  const data = e.data;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `'${p.missingProperty}' is a required property`;
    case 'additionalProperties':
      return additionalPropertyMessage(String(p.additionalProperty));
    case 'type': {
      // jsonschema lists several types comma-joined, without brackets: "True is not of type 'string', 'number'".
      const types = Array.isArray(p.type) ? p.type.map(String) : String(p.type).split(',');
      const t = types.map((x) => `'${x}'`).join(', ');
      return `${pyRepr(data)} is not of type ${t}`;
    }
    case 'enum':
      return `${pyRepr(data)} is not one of ${pyRepr(p.allowedValues)}`;
    case 'const':
      return `${pyRepr(p.allowedValue)} was expected`;
    case 'maxLength':
      return `${pyRepr(data)} is too long`;
    case 'minLength':
      return `${pyRepr(data)} is too short`;
    case 'pattern':
      return `${pyRepr(data)} does not match '${p.pattern}'`;
    case 'format':
      return `${pyRepr(data)} is not a '${p.format}'`;
    case 'maximum':
      return `${pyRepr(data)} is greater than the maximum of ${p.limit}`;
    case 'minimum':
      return `${pyRepr(data)} is less than the minimum of ${p.limit}`;
    case 'exclusiveMaximum':
      return `${pyRepr(data)} is greater than or equal to the maximum of ${p.limit}`;
    case 'exclusiveMinimum':
      return `${pyRepr(data)} is less than or equal to the minimum of ${p.limit}`;
    case 'maxItems':
      return `${pyRepr(data)} is too long`;
    case 'minItems':
      return `${pyRepr(data)} is too short`;
    case 'uniqueItems':
      return `${pyRepr(data)} has non-unique elements`;
    case 'maxProperties':
      return `${pyRepr(data)} has too many properties`;
    case 'minProperties':
      return `${pyRepr(data)} does not have enough properties`;
    case 'oneOf':
    case 'anyOf':
      return `${pyRepr(data)} is not valid under any of the given schemas`;
    case 'not':
      return `${pyRepr(data)} should not be valid under the given schema`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** Nova's field name for an error: jsonschema's `path.pop()`, the last path segment, an array index
 * included (the parent object for 'required'); '' at the body root. */
function fieldName(e: ErrorObject): string {
  const segments = e.instancePath.split('/').filter((s) => s !== '');
  return segments.length ? segments[segments.length - 1].replace(/~1/g, '/').replace(/~0/g, '~') : '';
}

/** The value Nova quotes: the object the error sits on. */
function quotedValue(e: ErrorObject, root: unknown): unknown {
  let v: unknown = root;
  for (const s of e.instancePath.split('/').filter(Boolean)) {
    if (v === null || typeof v !== 'object') break;
    v = (v as Record<string, unknown>)[s.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

export type ValidationPart = 'body' | 'querystring' | 'params' | 'headers';

export function novaValidationMessage(errors: ErrorObject[], part: ValidationPart, root: unknown): string {
  const e = errors[0];
  const detail = keywordMessage(e);
  if (part === 'querystring') {
    // Nova's `path.popleft()`: a query value is a list, so the parameter is the first segment.
    const first = e.instancePath
      .split('/')
      .filter((seg) => seg !== '')[0]
      ?.replace(/~1/g, '/')
      .replace(/~0/g, '~');
    const name = first || String((e.params as Record<string, unknown>).additionalProperty ?? '');
    return `Invalid input for query parameters ${name}. Value: ${pyStr(quotedValue(e, root))}. ${detail}`;
  }
  const field = fieldName(e);
  // At the root Nova gives jsonschema's bare message (its validator only words errors with a path).
  if (!field) return detail;
  return `Invalid input for field/attribute ${field}. Value: ${pyStr(quotedValue(e, root))}. ${detail}`;
}

/** Validate `value` against `schema`; throw a Nova-worded 400 on failure. */
export function assertValid(schema: object, value: unknown, part: ValidationPart = 'body'): void {
  const validate = compile(schema);
  if (!validate(value)) throw new BadRequest(novaValidationMessage(validate.errors ?? [], part, value));
}
