// One error handler for the whole service. It renders an error in the format of the service the
// request was for: Nova fault bodies under /compute, webob-style bodies for Glance (and for routes
// Nova itself does not know), Keystone error bodies under /identity. A 5xx never shows internals.
import { STATUS_CODES } from 'node:http';
import fp from 'fastify-plugin';
import { ApiError, BadRequest } from '../errors.js';
import { novaValidationMessage } from './validation.js';
/** nova wsgi.Fault._fault_names */
const NOVA_FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
};
export function serviceOf(url) {
    if (url.startsWith('/compute'))
        return 'compute';
    if (url.startsWith('/image'))
        return 'image';
    if (url.startsWith('/identity'))
        return 'identity';
    return 'root';
}
// webob's titles where they differ from Node's status names (glanceclient prints the title).
const WEBOB_TITLES = {
    413: 'Request Entity Too Large',
    414: 'Request-URI Too Long',
    416: 'Request Range Not Satisfiable',
};
function webobBody(status, message) {
    const title = WEBOB_TITLES[status] ?? STATUS_CODES[status] ?? 'Error';
    return { message: `${message}<br /><br />\n\n\n`, code: `${status} ${title}`, title };
}
export function sendError(req, reply, status, message, headers = {}) {
    for (const [k, v] of Object.entries(headers))
        reply.header(k, v);
    switch (serviceOf(req.url)) {
        case 'compute': {
            const name = NOVA_FAULT_NAMES[status] ?? 'computeFault';
            const fault = { code: status, message };
            if ((status === 413 || status === 429) && headers['Retry-After'])
                fault.retryAfter = headers['Retry-After'];
            return reply
                .code(status)
                .type('application/json; charset=UTF-8')
                .send({ [name]: fault });
        }
        case 'identity':
            return reply
                .code(status)
                .type('application/json')
                .send({ error: { code: status, message, title: STATUS_CODES[status] ?? 'Error' } });
        default:
            return reply.code(status).type('application/json').send(webobBody(status, message));
    }
}
/** Map framework errors (bad JSON, wrong media type, schema failures) onto our catalogue. */
function toApiError(err, req) {
    if (err instanceof ApiError)
        return err;
    if (err.validation) {
        const part = err.validationContext ?? 'body';
        const root = part === 'body' ? req.body : part === 'querystring' ? req.query : part === 'params' ? req.params : req.headers;
        return new BadRequest(novaValidationMessage(err.validation, part, root));
    }
    switch (err.code) {
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
            return new BadRequest('Malformed request body');
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
            return new ApiError(413, 'Request Entity Too Large');
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        case 'FST_ERR_CTP_INVALID_TYPE':
            return new ApiError(415, 'Unsupported Content-Type');
    }
    if (err instanceof SyntaxError)
        return new BadRequest('Malformed request body');
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500)
        return new ApiError(status, STATUS_CODES[status] ?? 'Bad Request');
    return null;
}
async function errorHandlerPlugin(app) {
    app.setErrorHandler((err, req, reply) => {
        const apiError = toApiError(err, req);
        if (apiError) {
            if (apiError.status >= 500)
                req.log.warn({ err }, 'request failed');
            return sendError(req, reply, apiError.status, apiError.message, apiError.headers);
        }
        req.log.error({ err }, 'unexpected error');
        return sendError(req, reply, 500, 'Unexpected API Error. Please report this at the novadock issue tracker and attach the service log if possible.');
    });
    app.setNotFoundHandler((req, reply) => {
        // Nova's router answers unknown paths with webob's plain 404 body, not a fault.
        const status = 404;
        if (serviceOf(req.url) === 'identity') {
            return sendError(req, reply, status, 'The resource could not be found.');
        }
        return reply.code(status).type('application/json').send(webobBody(status, 'The resource could not be found.'));
    });
}
export default fp(errorHandlerPlugin, { name: 'error-handler' });
//# sourceMappingURL=error-handler.js.map