// One error handler for the whole service. It renders an error in the format of the service the
// request was for: Nova fault bodies under /compute, webob-style bodies for Glance (and for routes
// Nova itself does not know), Keystone error bodies under /identity, Neutron's {"NeutronError": …}
// under /networking. A 5xx never shows internals.
import { BODY_INVALID } from '../network/errors.js';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, BadRequest, MALFORMED_BODY, RESOURCE_NOT_FOUND } from '../errors.js';
import { novaValidationMessage } from './validation.js';
import { isUnstorableText } from '../db/constraints.js';

/** nova wsgi.Fault._fault_names */
const NOVA_FAULT_NAMES: Record<number, string> = {
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

export type ServiceKind = 'compute' | 'image' | 'identity' | 'network' | 'root';

export function serviceOf(url: string): ServiceKind {
  if (url.startsWith('/compute')) return 'compute';
  if (url.startsWith('/networking')) return 'network';
  if (url.startsWith('/image')) return 'image';
  if (url.startsWith('/identity')) return 'identity';
  return 'root';
}

// webob's titles where they differ from Node's status names (glanceclient prints the title).
const WEBOB_TITLES: Readonly<Record<number, string>> = {
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  416: 'Request Range Not Satisfiable',
};

function webobBody(status: number, message: string) {
  const title = WEBOB_TITLES[status] ?? STATUS_CODES[status] ?? 'Error';
  return { message: `${message}<br /><br />\n\n\n`, code: `${status} ${title}`, title };
}

/** webob exception class names: Neutron's `type` for errors that are not Neutron's own. */
const WEBOB_TYPES: Readonly<Record<number, string>> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  406: 'HTTPNotAcceptable',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  414: 'HTTPRequestURITooLong',
  415: 'HTTPUnsupportedMediaType',
  500: 'HTTPInternalServerError',
  501: 'HTTPNotImplemented',
  503: 'HTTPServiceUnavailable',
};

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  /** Neutron's error type (a NeutronError's); otherwise webob's name for the status */
  type?: string,
) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  switch (serviceOf(req.url)) {
    case 'network':
      // keystonemiddleware answers a missing or bad token before Neutron sees the request
      if (status === 401) {
        return reply
          .code(status)
          .type('application/json')
          .send({ error: { code: status, message, title: STATUS_CODES[status] ?? 'Error' } });
      }
      return reply
        .code(status)
        .type('application/json')
        .send({ NeutronError: { type: type ?? WEBOB_TYPES[status] ?? 'HTTPError', message, detail: '' } });
    case 'compute': {
      const name = NOVA_FAULT_NAMES[status] ?? 'computeFault';
      const fault: Record<string, unknown> = { code: status, message };
      if ((status === 413 || status === 429) && headers['Retry-After']) fault.retryAfter = headers['Retry-After'];
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

/**
 * A body that is not JSON: Nova's, Glance's and Keystone's "Malformed request body"; Neutron's body
 * hook (pecan_wsgi/hooks/body_validation.py) says "Body contains invalid data", as for JSON that is no object.
 */
function malformedBody(req: FastifyRequest): ApiError {
  return new BadRequest(serviceOf(req.url) === 'network' ? BODY_INVALID : MALFORMED_BODY);
}

/** Map framework errors (bad JSON, wrong media type, schema failures) onto our catalogue. */
function toApiError(err: FastifyError & { validationContext?: string }, req: FastifyRequest): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err.validation) {
    const part = err.validationContext ?? 'body';
    const root =
      part === 'body' ? req.body : part === 'querystring' ? req.query : part === 'params' ? req.params : req.headers;
    return new BadRequest(novaValidationMessage(err.validation as never, part, root));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return malformedBody(req);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'Request Entity Too Large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new ApiError(415, 'Unsupported Content-Type');
  }
  if (err instanceof SyntaxError) return malformedBody(req);
  // PostgreSQL cannot hold a NUL character (SQLite can): the caller's text, not a fault of ours.
  if (isUnstorableText(err))
    return new BadRequest('Invalid input: text with a NUL character (\\u0000) is not accepted.');
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, STATUS_CODES[status] ?? 'Bad Request');
  return null;
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const apiError = toApiError(err, req);
    if (apiError) {
      if (apiError.status >= 500) req.log.warn({ err }, 'request failed');
      const type = (apiError as ApiError & { type?: unknown }).type;
      return sendError(
        req,
        reply,
        apiError.status,
        apiError.message,
        apiError.headers,
        typeof type === 'string' ? type : undefined,
      );
    }
    req.log.error({ err }, 'unexpected error');
    return sendError(
      req,
      reply,
      500,
      serviceOf(req.url) === 'network'
        ? 'Request Failed: internal server error while processing your request.'
        : 'Unexpected API Error. Please report this at the novadock issue tracker and attach the service log if possible.',
    );
  });

  app.setNotFoundHandler((req, reply) => {
    // Nova's router answers unknown paths with webob's plain 404 body, not a fault.
    const status = 404;
    if (serviceOf(req.url) === 'identity' || serviceOf(req.url) === 'network') {
      return sendError(req, reply, status, RESOURCE_NOT_FOUND);
    }
    return reply.code(status).type('application/json').send(webobBody(status, RESOURCE_NOT_FOUND));
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
