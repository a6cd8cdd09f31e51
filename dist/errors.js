// The one catalogue of errors. Each carries an HTTP status and a user-facing message; the error
// handler renders it in the format of the service that was called (Nova fault body, Glance/webob
// body, Keystone error body). Messages follow Nova's wording (nova/exception.py) where one exists.
export class ApiError extends Error {
    status;
    headers;
    constructor(status, message, 
    /** Extra headers the response must carry (Retry-After, WWW-Authenticate, Location…). */
    headers = {}) {
        super(message);
        this.status = status;
        this.headers = headers;
        this.name = new.target.name;
    }
}
// ---- generic, by status ---------------------------------------------------------------------
export class BadRequest extends ApiError {
    constructor(message) {
        super(400, message);
    }
}
export class Unauthorized extends ApiError {
    constructor(message = 'The request you have made requires authentication.', headers = {}) {
        super(401, message, headers);
    }
}
export class Forbidden extends ApiError {
    constructor(message = 'Policy does not allow this action to be performed.') {
        super(403, message);
    }
}
export class NotFound extends ApiError {
    constructor(message = 'The resource could not be found.') {
        super(404, message);
    }
}
export class MethodNotAllowed extends ApiError {
    constructor(message = 'The method is not allowed for the requested URL.') {
        super(405, message);
    }
}
export class NotAcceptable extends ApiError {
    constructor(message) {
        super(406, message);
    }
}
export class Conflict extends ApiError {
    constructor(message) {
        super(409, message);
    }
}
export class Gone extends ApiError {
    constructor(message = 'This resource is no longer available. No forwarding address is given.') {
        super(410, message);
    }
}
export class RequestEntityTooLarge extends ApiError {
    constructor(message) {
        super(413, message);
    }
}
export class UnsupportedMediaType extends ApiError {
    constructor(message) {
        super(415, message);
    }
}
export class TooManyRequests extends ApiError {
    constructor(message, retryAfterSeconds) {
        super(429, message, { 'Retry-After': String(retryAfterSeconds) });
    }
}
export class NotImplemented extends ApiError {
    constructor(message = 'Feature not supported.') {
        super(501, message);
    }
}
export class ServiceUnavailable extends ApiError {
    constructor(message) {
        super(503, message);
    }
}
// ---- Nova-named --------------------------------------------------------------------------------
export const InstanceNotFound = (id) => new NotFound(`Instance ${id} could not be found.`);
export const FlavorNotFound = (id) => new NotFound(`Flavor ${id} could not be found.`);
export const ImageNotFound = (id) => new NotFound(`Image ${id} could not be found.`);
export const KeypairNotFound = (name, userId) => new NotFound(`Keypair ${name} not found for user ${userId}`);
/** Nova: "Cannot 'start' instance <id> while it is in vm_state active" (InstanceInvalidState → 409). */
export class InstanceInvalidState extends Conflict {
    constructor(attr, state, method, instanceId) {
        super(`Cannot '${method}' instance ${instanceId} while it is in ${attr} ${state ?? 'None'}`);
    }
}
/** Nova: InstanceIsLocked → 409. */
export class InstanceIsLocked extends Conflict {
    constructor(instanceId) {
        super(`Instance ${instanceId} is locked`);
    }
}
/** Raised when a task_state compare-and-swap loses the race (Nova's UnexpectedTaskStateError → 409). */
export class UnexpectedTaskState extends Conflict {
    constructor(instanceId, expected, actual) {
        super(`Conflict updating instance ${instanceId}. Expected: {'task_state': [${expected.map(pyRepr).join(', ')}]}. ` +
            `Actual: {'task_state': ${pyRepr(actual)}}`);
    }
}
/** Nova's quota failure on create: HTTP 403 with "Quota exceeded for …". */
export class QuotaExceeded extends Forbidden {
    constructor(message) {
        super(message);
    }
}
/** Raised by the virt layer; the worker turns these into faults. */
export class DriverError extends Error {
    kind;
    constructor(message, kind = 'failed') {
        super(message);
        this.kind = kind;
        this.name = 'DriverError';
    }
}
/** Python's repr of a JSON-ish value, as Nova quotes values in its validation messages. */
export function pyRepr(value) {
    if (value === null || value === undefined)
        return 'None';
    if (value === true)
        return 'True';
    if (value === false)
        return 'False';
    if (typeof value === 'string')
        return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    if (typeof value === 'number')
        return String(value);
    if (Array.isArray(value))
        return `[${value.map(pyRepr).join(', ')}]`;
    if (typeof value === 'object') {
        return `{${Object.entries(value)
            .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
            .join(', ')}}`;
    }
    return String(value);
}
//# sourceMappingURL=errors.js.map