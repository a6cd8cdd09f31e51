// Request bodies as Neutron checks them (neutron/api/v2/base.py prepare_request_body with
// neutron_lib/api/attributes.py): the resource key, unknown attributes, POST/PUT permissions,
// required attributes, then each attribute's converter and validators in attribute-map order,
// with Neutron's messages. The OpenAPI schemas describe the same bodies for documentation.
import { HTTPBadRequest, InvalidInput, NeutronError, InvalidAttribute, BODY_INVALID } from '../../network/errors.js';
import { pyStr, pyRepr, validateIpAddress, validateMacAddress, validateSubnet } from '../../network/ip.js';

type Check = (v: unknown) => string | null; // a validator's reason, or null
type Convert = (v: unknown) => unknown; // throws InvalidInput like neutron-lib converters
export interface Attr {
  post: boolean;
  put: boolean;
  required?: boolean;
  convert?: Convert;
  validate?: Check;
}
export type AttrMap = Record<string, Attr>;

// ---- converters (neutron_lib/api/converters.py) ------------------------------------------------
export const toBoolean: Convert = (v) => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (['true', '1', 't', 'yes', 'y', 'on'].includes(s)) return true;
    if (['false', '0', 'f', 'no', 'n', 'off'].includes(s)) return false;
  }
  throw InvalidInput(`'${pyStr(v)}' cannot be converted to boolean`);
};
export const toInt: Convert = (v) => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) return Number(v);
  if (typeof v === 'boolean') return Number(v);
  throw InvalidInput(`'${pyStr(v)}' is not an integer`);
};
export const noneToEmptyList: Convert = (v) => (v === null ? [] : v);

// ---- validators (neutron_lib/api/validators) -----------------------------------------------------
export const isString =
  (max?: number): Check =>
  (v) => {
    if (typeof v !== 'string') return `'${pyStr(v)}' is not a valid string`;
    if (max !== undefined && v.length > max) return `'${v}' exceeds maximum length of ${max}`;
    return null;
  };
export const isUuid: Check = (v) =>
  typeof v === 'string' && /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(v)
    ? null
    : `'${pyStr(v)}' is not a valid UUID`;
export const isUuidOrNone: Check = (v) => (v === null ? null : isUuid(v));
export const isUuidList: Check = (v) => {
  if (!Array.isArray(v)) return `'${pyStr(v)}' is not a list`;
  for (const x of v) {
    const e = isUuid(x);
    if (e) return e;
  }
  return null;
};
export const isBoolean: Check = (v) => (typeof v === 'boolean' ? null : `'${pyStr(v)}' is not a valid boolean value`);
export const inValues =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v) ? null : `${pyStr(v)} is not in ${pyStr(values)}`;
export const isIp: Check = (v) => validateIpAddress(v);
export const isIpOrNone: Check = (v) => (v === null ? null : validateIpAddress(v));
export const isSubnetCidr: Check = (v) => validateSubnet(v);
export const isMac: Check = (v) => validateMacAddress(v);
export const inRange =
  (min: number, max: number): Check =>
  (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return `'${pyStr(v)}' is not an integer`;
    if (v < min) return `'${v}' is too small - must be at least '${min}'`;
    if (v > max) return `'${v}' is too large - must be no larger than '${max}'`;
    return null;
  };
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function verifyKeys(expected: string[], d: Record<string, unknown>, strict = true): string | null {
  const keys = Object.keys(d);
  const missing = expected.filter((k) => !keys.includes(k));
  if (missing.length || (strict && keys.some((k) => !expected.includes(k)))) {
    return `Validation of dictionary's keys failed. Expected keys: ${pyStr([...expected].sort())} Provided keys: ${pyStr([...keys].sort())}`;
  }
  return null;
}
export const isFixedIps: Check = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for fixed IP: '${pyStr(v)}'`;
  const seen = new Set<string>();
  for (const f of v) {
    if (!isDict(f)) return `Invalid data format for fixed IP: '${pyStr(f)}'`;
    if (f.ip_address !== undefined) {
      if (seen.has(String(f.ip_address))) return `Duplicate IP address '${pyStr(f.ip_address)}'`;
      seen.add(String(f.ip_address));
      const e = validateIpAddress(f.ip_address);
      if (e) return e;
    }
    if (f.subnet_id !== undefined) {
      const e = isUuid(f.subnet_id);
      if (e) return e;
    }
  }
  return null;
};
export const isPools: Check = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for IP pool: '${pyStr(v)}'`;
  for (const p of v) {
    if (!isDict(p)) return `Invalid data format for IP pool: '${pyStr(p)}'`;
    const e = verifyKeys(['end', 'start'], p);
    if (e) return e;
    for (const k of ['start', 'end']) {
      const e2 = validateIpAddress(p[k]);
      if (e2) return e2;
    }
  }
  return null;
};
export const isNameservers: Check = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for nameserver: '${pyStr(v)}'`;
  const seen = new Set<string>();
  for (const h of v) {
    const e = validateIpAddress(h);
    if (e) return `'${pyStr(h)}' is not a valid nameserver. ${e}`;
    if (seen.has(String(h))) return `Duplicate nameserver '${pyStr(h)}'`;
    seen.add(String(h));
  }
  return null;
};
export const isHostRoutes: Check = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for hostroute: '${pyStr(v)}'`;
  const seen = new Set<string>();
  for (const r of v) {
    if (!isDict(r)) return `Invalid data format for hostroute: '${pyStr(r)}'`;
    const e =
      verifyKeys(['destination', 'nexthop'], r) ?? validateSubnet(r.destination) ?? validateIpAddress(r.nexthop);
    if (e) return e;
    const key = `${r.destination} ${r.nexthop}`;
    if (seen.has(key)) return `Duplicate hostroute '${pyStr(r)}'`;
    seen.add(key);
  }
  return null;
};
/** neutron_lib allowedaddresspairs _validate_allowed_address_pairs (some failures raise, as there). */
export const isAddressPairs: Check = (v) => {
  if (!Array.isArray(v)) throw HTTPBadRequest('Allowed address pairs must be a list.');
  if (v.length > 10)
    throw new NeutronError(
      400,
      'AllowedAddressPairExhausted',
      'The number of allowed address pair exceeds the maximum 10.',
    );
  const seen = new Set<string>();
  for (const p of v) {
    if (!isDict(p)) return `'${pyStr(p)}' is not a dictionary`;
    if (p.ip_address === undefined)
      throw new NeutronError(400, 'AllowedAddressPairsMissingIP', 'AllowedAddressPair must contain ip_address');
    const key = `${pyStr(p.mac_address)} ${pyStr(p.ip_address)}`;
    if (seen.has(key)) {
      throw new NeutronError(
        400,
        'DuplicateAddressPairInRequest',
        `Request contains duplicate address pair: mac_address ${pyStr(p.mac_address)} ip_address ${pyStr(p.ip_address)}.`,
      );
    }
    seen.add(key);
    const extra = Object.keys(p).filter((k) => k !== 'ip_address' && k !== 'mac_address');
    if (extra.length) throw HTTPBadRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    if (p.mac_address !== undefined) {
      const e = validateMacAddress(p.mac_address);
      if (e) return e;
    }
    const e =
      typeof p.ip_address === 'string' && p.ip_address.includes('/')
        ? validateSubnet(p.ip_address)
        : validateIpAddress(p.ip_address);
    if (e) return e;
  }
  return null;
};
export const isGatewayInfo: Check = (v) => {
  if (v === null) return null;
  if (!isDict(v)) return `'${pyStr(v)}' is not a dictionary`;
  const allowed = ['network_id', 'enable_snat', 'external_fixed_ips', 'qos_policy_id'];
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length)
    return `Validation of dictionary's keys failed. Expected keys: ${pyStr(['network_id'])} Provided keys: ${pyStr(Object.keys(v).sort())}`;
  if (Object.keys(v).length && v.network_id === undefined)
    return `Validation of dictionary's keys failed. Expected keys: ${pyStr(['network_id'])} Provided keys: ${pyStr(Object.keys(v).sort())}`;
  if (v.network_id !== undefined) {
    const e = isUuid(v.network_id);
    if (e) return e;
  }
  if (v.enable_snat !== undefined && typeof v.enable_snat !== 'boolean')
    return `'${pyStr(v.enable_snat)}' is not a valid boolean value`;
  if (v.external_fixed_ips !== undefined) return isFixedIps(v.external_fixed_ips);
  return null;
};

/** prepare_request_body for one resource. Returns the converted body (only the given attributes). */
export function prepareBody(
  resource: string,
  body: unknown,
  attrs: AttrMap,
  isCreate: boolean,
): Record<string, unknown> {
  // Neutron's pecan hooks: a body that is no JSON object is "Body contains invalid data" (an array
  // included); no body, or one without the resource, is "Unable to find" (controllers/resource.py)
  if (body !== undefined && body !== null && !isDict(body)) throw HTTPBadRequest(BODY_INVALID);
  if (!isDict(body) || !(resource in body)) throw HTTPBadRequest(`Unable to find '${resource}' in request body`);
  const res = body[resource];
  if (!isDict(res)) throw HTTPBadRequest(`Object '${resource}' contains invalid data`);
  const out: Record<string, unknown> = { ...res };
  const extra = Object.keys(out).filter((k) => !(k in attrs) && k !== 'project_id' && k !== 'tenant_id');
  if (extra.length) throw HTTPBadRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
  for (const [name, a] of Object.entries(attrs)) {
    if (isCreate) {
      if (!a.post && name in out) throw HTTPBadRequest(`Attribute '${name}' not allowed in POST`);
      if (a.post && a.required && !(name in out))
        throw HTTPBadRequest(`Failed to parse request. Required attribute '${name}' not specified`);
    } else if (name in out && !a.put) {
      throw HTTPBadRequest(`Cannot update read-only attribute ${name}`);
    }
  }
  for (const k of ['tenant_id', 'project_id']) {
    const reason = k in out ? isString(255)(out[k]) : null;
    if (reason) throw InvalidAttribute(k, reason);
  }
  for (const [name, a] of Object.entries(attrs)) {
    if (!(name in out)) continue;
    if (a.convert) out[name] = a.convert(out[name]);
    const reason = a.validate?.(out[name]);
    if (reason) throw HTTPBadRequest(`Invalid input for ${name}. Reason: ${reason}.`);
  }
  return out;
}

export { pyRepr };
