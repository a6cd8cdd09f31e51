// The one catalogue of errors. Each carries an HTTP status and a user-facing message; the error
// handler renders it in the format of the service that was called (Nova fault body, Glance/webob
// body, Keystone error body). Messages follow Nova's wording (nova/exception.py) where one exists.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra headers the response must carry (Retry-After, WWW-Authenticate, Location…). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

// ---- generic, by status ---------------------------------------------------------------------
export class BadRequest extends ApiError {
  constructor(message: string) {
    super(400, message);
  }
}
export class Unauthorized extends ApiError {
  constructor(message = AUTHENTICATION_REQUIRED, headers: Record<string, string> = {}) {
    super(401, message, headers);
  }
}
export class Forbidden extends ApiError {
  constructor(message = 'Policy does not allow this action to be performed.') {
    super(403, message);
  }
}
export class NotFound extends ApiError {
  constructor(message = RESOURCE_NOT_FOUND) {
    super(404, message);
  }
}
export class MethodNotAllowed extends ApiError {
  constructor(message = 'The method is not allowed for the requested URL.') {
    super(405, message);
  }
}
export class NotAcceptable extends ApiError {
  constructor(message: string) {
    super(406, message);
  }
}
export class Conflict extends ApiError {
  constructor(message: string) {
    super(409, message);
  }
}
export class Gone extends ApiError {
  constructor(message = 'This resource is no longer available. No forwarding address is given.') {
    super(410, message);
  }
}
export class RequestEntityTooLarge extends ApiError {
  constructor(message: string) {
    super(413, message);
  }
}
export class UnsupportedMediaType extends ApiError {
  constructor(message: string) {
    super(415, message);
  }
}
export class TooManyRequests extends ApiError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, message, { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class NotImplemented extends ApiError {
  constructor(message = 'Feature not supported.') {
    super(501, message);
  }
}
export class ServiceUnavailable extends ApiError {
  constructor(message: string) {
    super(503, message);
  }
}

// ---- messages several places raise, each written once ---------------------------------------------
export const AUTHENTICATION_REQUIRED = 'The request you have made requires authentication.';
export const RESOURCE_NOT_FOUND = 'The resource could not be found.';
/** Nova's ComputeHostNotFound: a 404 on host resources, a 400 where a request names the host. */
export const computeHostNotFound = (host: string) => `Compute host ${host} could not be found.`;

// ---- Nova-named --------------------------------------------------------------------------------
export const InstanceNotFound = (id: string) => new NotFound(`Instance ${id} could not be found.`);
export const FlavorNotFound = (id: string) => new NotFound(`Flavor ${id} could not be found.`);
export const ImageNotFound = (id: string) => new NotFound(`Image ${id} could not be found.`);
export const MetadataItemNotFound = () => new NotFound('Metadata item was not found');
export const InvalidKeyName = () => new BadRequest('Invalid key_name provided.');
export const InstanceNotReady = (uuid: string) => new Conflict(`Instance ${uuid} is not ready`);
export const AggregateNotFound = (id: string | number) => new NotFound(`Aggregate ${id} could not be found.`);
export const AggregateNameExists = (name: string | undefined) => new Conflict(`Aggregate ${name} already exists.`);
export const AggregateHostExists = (id: string | number, host: string) =>
  new Conflict(`Aggregate ${id} already has host ${host}.`);
export const MarkerNotFound = (marker: string | undefined) => new BadRequest(`Marker ${marker} could not be found.`);
export const NoSuchAction = (name: string) => new BadRequest(`There is no such action: ${name}`);
export const BodyUriMismatch = () => new BadRequest('Request body and URI mismatch');
export const TooManyTags = (max: number) => new BadRequest(`The number of tags exceeded the per-server limit ${max}`);
export const ChangesSinceAfterBefore = () =>
  new BadRequest('The value of changes-since must be less than or equal to changes-before.');
export const AvailabilityZoneNotAvailable = () => new BadRequest('The requested availability zone is not available');
export const FlavorNameExists = (name: string) => new Conflict(`Flavor with name ${name} already exists.`);
export const FlavorExtraSpecNotFound = (id: string, key: string) =>
  new NotFound(`Flavor ${id} has no extra specs with key ${key}.`);
// Keystone's and Nova's policy refusal
export const actionForbidden = (rule: string) =>
  new Forbidden(`You are not authorized to perform the requested action: ${rule}.`);
// Glance's
export const ImagePropertyNotFound = (key: string) => new Conflict(`Property ${key} does not exist.`);
export const ImageTransitionNotAllowed = (from: string, to: string) =>
  new Conflict(`Image status transition from ${from} to ${to} is not allowed`);
export const PublicizeImageForbidden = () =>
  new Forbidden('You are not authorized to complete publicize_image action.');
export const KeypairNotFound = (name: string, userId: string) =>
  new NotFound(`Keypair ${name} not found for user ${userId}`);
export const MALFORMED_BODY = 'Malformed request body';
export const MalformedBody = () => new BadRequest(MALFORMED_BODY);
/** oslo.policy's refusal as Nova and Glance word it. */
export const PolicyForbids = (rule: string) => new Forbidden(`Policy doesn't allow ${rule} to be performed.`);
/** Nova's query-schema refusal of a date-time parameter (changes-since, changes-before). */
export const InvalidDateTimeQuery = (name: string, value: string) =>
  new BadRequest(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
/** jsonschema's additionalProperties message, as Nova's validators answer it. */
export const additionalPropertyMessage = (key: string) =>
  `Additional properties are not allowed ('${key}' was unexpected)`;
export const ServiceNotFound = (id: string | number) => new NotFound(`Service ${id} could not be found.`);
export const HypervisorNotFound = (id: string) => new NotFound(`Hypervisor with ID '${id}' could not be found.`);
export const ServerTagNotFound = (uuid: string, tag: string) => new NotFound(`Server ${uuid} has no tag '${tag}'`);
// Glance's
export const ImageMemberNotFound = (member: string, imageId: string) =>
  new NotFound(`${member} is not a member of image ${imageId}`);
export const BodyExpected = () => new BadRequest('Body expected in request.');
// Keystone's
export const IdentityNotFound = (kind: string, id: string) => new NotFound(`Could not find ${kind}: ${id}.`);

/** Nova: "Cannot 'start' instance <id> while it is in vm_state active" (InstanceInvalidState → 409). */
export class InstanceInvalidState extends Conflict {
  constructor(attr: 'vm_state' | 'task_state', state: string | null, method: string, instanceId: string) {
    super(`Cannot '${method}' instance ${instanceId} while it is in ${attr} ${state ?? 'None'}`);
  }
}

/** Nova: InstanceIsLocked → 409. */
export class InstanceIsLocked extends Conflict {
  constructor(instanceId: string) {
    super(`Instance ${instanceId} is locked`);
  }
}

/** Raised when a task_state compare-and-swap loses the race (Nova's UnexpectedTaskStateError → 409). */
export class UnexpectedTaskState extends Conflict {
  constructor(instanceId: string, expected: readonly (string | null)[], actual: string | null) {
    super(
      `Conflict updating instance ${instanceId}. Expected: {'task_state': [${expected.map(pyRepr).join(', ')}]}. ` +
        `Actual: {'task_state': ${pyRepr(actual)}}`,
    );
  }
}

/** Nova's quota failure on create: HTTP 403 with "Quota exceeded for …". */
export class QuotaExceeded extends Forbidden {
  constructor(message: string) {
    super(message);
  }
}

/** Raised by the virt layer; the worker turns these into faults. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'conflict' | 'timeout' | 'unavailable' | 'failed' = 'failed',
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

/** Python's repr of a JSON-ish value, as Nova quotes values in its validation messages. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}
