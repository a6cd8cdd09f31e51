// Nova's parameter types (nova/api/validation/parameter_types.py) and oslo's readings of the
// strings behind them, defined once: every request schema builds on these atoms, and every
// query-string parser reads booleans and UUIDs with these words. The spellings and patterns are
// part of the API: a 400 quotes them back ("'x' is not one of [True, 'True', …]").

// ---- booleans ------------------------------------------------------------------------------

/** oslo strutils TRUE_STRINGS and FALSE_STRINGS: what bool_from_string reads after strip().lower(). */
export const TRUE_STRINGS: readonly string[] = ['1', 't', 'true', 'on', 'y', 'yes'];
export const FALSE_STRINGS: readonly string[] = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo bool_from_string(strict=True): true or false for a true or false word, undefined for anything else. */
export function strictBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (TRUE_STRINGS.includes(s)) return true;
  if (FALSE_STRINGS.includes(s)) return false;
  return undefined;
}

/** oslo bool_from_string(default=False): a true word is true, anything else false. */
export function boolFromString(value: string): boolean {
  return TRUE_STRINGS.includes(value.trim().toLowerCase());
}

/** A value the boolean schemas below accepted, read as Nova reads it: true or a true spelling. */
export function isTrueSpelling(value: unknown): boolean {
  return value === true || (typeof value === 'string' && TRUE_STRINGS.includes(value.toLowerCase()));
}

const TRUE_SPELLINGS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes'];
const FALSE_SPELLINGS = ['False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'];

/** parameter_types.boolean: JSON booleans and the strings Nova lists, in its order (a 400 prints them). */
export const boolean = {
  type: ['boolean', 'string'],
  enum: [true, ...TRUE_SPELLINGS, 'y', 't', false, ...FALSE_SPELLINGS, 'n', 'f'],
};

/**
 * parameter_types.boolean as older Nova releases spelled it, without the one-letter words: the
 * quota-set and os-services bodies were written against it and keep it.
 */
export const booleanWithoutLetters = {
  type: ['boolean', 'string'],
  enum: [true, ...TRUE_SPELLINGS, false, ...FALSE_SPELLINGS],
};

/**
 * The same spellings as two alternatives, a JSON boolean or one of the strings: a wrong value
 * answers "… is not valid under any of the given schemas" (the migration and evacuate actions).
 */
export const booleanAlternatives = {
  oneOf: [{ type: 'boolean' }, { type: 'string', enum: [...TRUE_SPELLINGS, 'y', 't', ...FALSE_SPELLINGS, 'n', 'f'] }],
};

// ---- identifiers ---------------------------------------------------------------------------

/** A UUID as Nova's 'uuid' format checks it (oslo uuidutils.is_uuid_like): any case, dashes optional. */
export const UUID_LIKE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
export const isUuidLike = (s: string): boolean => UUID_LIKE.test(s);

/** A UUID in its dashed form, as Glance's schemas write the pattern (a 400 quotes it). */
export const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';
export const UUID_DASHED = new RegExp(UUID_PATTERN);

/** parameter_types.server_id, image_id, network_id, …: a string in the 'uuid' format. */
export const uuid = { type: 'string', format: 'uuid' };

// ---- names and text ------------------------------------------------------------------------

/** parameter_types.name: printable, no leading or trailing whitespace. */
export const name = { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\s)[^\\x00-\\x1f\\x7f]*(?<!\\s)$' };

/** parameter_types.name_with_leading_trailing_spaces: printable, at least one non-space. */
export const nameWithLeadingTrailingSpaces = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[^\\x00-\\x1f\\x7f]*[^\\s\\x00-\\x1f\\x7f][^\\x00-\\x1f\\x7f]*$',
};

/** parameter_types.description: printable, up to 255 characters, or null. */
export const description = {
  type: ['string', 'null'],
  minLength: 0,
  maxLength: 255,
  pattern: '^[^\\x00-\\x1f\\x7f]*$',
};

/** parameter_types.az_name (no ':'), or null. */
export const azNameOrNull = {
  oneOf: [
    { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\s)[^:\\x00-\\x1f\\x7f]*(?<!\\s)$' },
    { type: 'null' },
  ],
};

/**
 * parameter_types.hostname as Nova Zed has it (2.90 to 2.93; 2.94 widens it to an FQDN): create,
 * update and rebuild share it, so that a refused hostname reads as Nova's message, which quotes
 * the pattern. Ajv checks maxLength before pattern, so backtracking is bounded by 63 characters.
 */
export const hostname = {
  type: 'string',
  minLength: 2,
  maxLength: 63,
  pattern: '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$',
};

/** parameter_types.fqdn (and the hostname of the admin actions' `host`). */
export const fqdn = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };

/** parameter_types.tag: a server or device tag. */
export const tag = { type: 'string', minLength: 1, maxLength: 60, pattern: '^[^,/]*$' };

/** parameter_types.admin_password: any string (never stored, so not limited). */
export const adminPassword = { type: 'string' };

// ---- metadata ------------------------------------------------------------------------------

const METADATA_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$';

/** parameter_types.metadata: keys of 1–255 safe characters, string values up to 255. */
export const metadata = {
  type: 'object',
  patternProperties: { [METADATA_KEY]: { type: 'string', maxLength: 255 } },
  additionalProperties: false,
};

/** parameter_types.metadata_with_null: a null value deletes its key. */
export const metadataWithNull = {
  type: 'object',
  patternProperties: { [METADATA_KEY]: { type: ['string', 'null'], maxLength: 255 } },
  additionalProperties: false,
};

/** parameter_types.personality: files to inject, their contents in base64 (create and rebuild below 2.57). */
export const personality = {
  type: 'array',
  items: {
    type: 'object',
    properties: { path: { type: 'string' }, contents: { type: 'string', format: 'base64' } },
    additionalProperties: false,
  },
};

/** OS-DCF:diskConfig */
export const diskConfig = { type: 'string', enum: ['AUTO', 'MANUAL'] };

// ---- numbers and addresses -----------------------------------------------------------------

/** A non-empty string of at most 255 characters, which Nova's schemas write inline (key pair and server
 * group names, a service's host and disabled reason, a lock reason, flavor access tenants). */
export const string255 = { type: 'string', minLength: 1, maxLength: 255 };

/** parameter_types.positive_integer: an integer, or a string of digits, at least 1. */
export const positiveInteger = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1 };

/** parameter_types.non_negative_integer: an integer, or a non-empty string of digits, at least 0. */
export const nonNegativeInteger = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0, minLength: 1 };

/** parameter_types.ip_address: IPv4 or IPv6. */
export const ipAddress = { type: 'string', oneOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };

/** accessIPv4 / accessIPv6: the address, or empty. */
export const accessIpv4 = { type: 'string', oneOf: [{ format: 'ipv4' }, { maxLength: 0 }] };
export const accessIpv6 = { type: 'string', oneOf: [{ format: 'ipv6' }, { maxLength: 0 }] };

// ---- bodies --------------------------------------------------------------------------------

/** A body of one required key (`{ "<key>": … }`) and nothing else: Nova's action and resource bodies. */
export const wrap = (key: string, inner: unknown) => ({
  type: 'object',
  properties: { [key]: inner },
  required: [key],
  additionalProperties: false,
});

/** An object of these properties and no others, with the required ones listed when there are any. */
export const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});
