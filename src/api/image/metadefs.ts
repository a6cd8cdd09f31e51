// Glance's metadata definitions catalog (metadefs), read side: the schemas and an empty catalog
// (no namespaces, no resource types). Glance serves the namespaces an operator loaded
// (`glance-manage db_load_metadefs`); here none are, so the lists are empty and every namespace is
// Glance's 404. Horizon needs this: its Images pages, Create Image dialog and every "Update
// Metadata" dialog list the namespaces through glanceclient, which first reads
// /v2/schemas/metadefs/namespace (a 404 there was a 500 in Horizon and an error toast).
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../errors.js';

const DEFINITIONS = {
  positiveInteger: { type: 'integer', minimum: 0 },
  positiveIntegerDefault0: { allOf: [{ $ref: '#/definitions/positiveInteger' }, { default: 0 }] },
  stringArray: { type: 'array', items: { type: 'string' }, uniqueItems: true },
  property: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['title', 'type'],
      properties: {
        name: { type: 'string', maxLength: 255 },
        title: { type: 'string' },
        description: { type: 'string' },
        operators: { type: 'array', items: { type: 'string' } },
        type: { type: 'string', enum: ['array', 'boolean', 'integer', 'number', 'object', 'string', null] },
        required: { $ref: '#/definitions/stringArray' },
        minimum: { type: 'number' },
        maximum: { type: 'number' },
        maxLength: { $ref: '#/definitions/positiveInteger' },
        minLength: { $ref: '#/definitions/positiveIntegerDefault0' },
        pattern: { type: 'string', format: 'regex' },
        enum: { type: 'array' },
        readonly: { type: 'boolean' },
        default: {},
        items: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['array', 'boolean', 'integer', 'number', 'object', 'string', null] },
            enum: { type: 'array' },
          },
        },
        maxItems: { $ref: '#/definitions/positiveInteger' },
        minItems: { $ref: '#/definitions/positiveIntegerDefault0' },
        uniqueItems: { type: 'boolean', default: false },
        additionalItems: { type: 'boolean' },
      },
    },
  },
};

const RESOURCE_TYPE_ASSOCIATION = {
  type: 'object',
  properties: { name: { type: 'string' }, prefix: { type: 'string' }, properties_target: { type: 'string' } },
};

/** glance/api/v2/metadef_namespaces.py get_schema() as glance.schema.Schema renders it. */
export const NAMESPACE_SCHEMA = {
  name: 'namespace',
  properties: {
    namespace: { type: 'string', description: 'The unique namespace text.', maxLength: 80 },
    display_name: {
      type: 'string',
      description: 'The user friendly name for the namespace. Used by UI if available.',
      maxLength: 80,
    },
    description: {
      type: 'string',
      description: 'Provides a user friendly description of the namespace.',
      maxLength: 500,
    },
    visibility: { type: 'string', description: 'Scope of namespace accessibility.', enum: ['public', 'private'] },
    protected: { type: 'boolean', description: 'If true, namespace will not be deletable.' },
    owner: { type: 'string', description: 'Owner of the namespace.', maxLength: 255 },
    created_at: {
      type: 'string',
      description: 'Date and time of namespace creation',
      format: 'date-time',
      readOnly: true,
    },
    updated_at: {
      type: 'string',
      description: 'Date and time of the last namespace modification',
      format: 'date-time',
      readOnly: true,
    },
    schema: { type: 'string', readOnly: true },
    self: { type: 'string', readOnly: true },
    resource_type_associations: { type: 'array', items: RESOURCE_TYPE_ASSOCIATION },
    properties: { $ref: '#/definitions/property' },
    objects: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          required: { $ref: '#/definitions/stringArray' },
          properties: { $ref: '#/definitions/property' },
        },
      },
    },
    tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
  },
  additionalProperties: false,
  required: ['namespace'],
  definitions: DEFINITIONS,
};

/** glance.schema.CollectionSchema('namespaces', …). */
export const NAMESPACES_SCHEMA = {
  name: 'namespaces',
  properties: {
    namespaces: { type: 'array', items: NAMESPACE_SCHEMA },
    first: { type: 'string' },
    next: { type: 'string' },
    schema: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
};

/** glance/api/v2/metadef_resource_types.py get_schema() (a namespace's resource type association). */
export const RESOURCE_TYPE_SCHEMA = {
  name: 'resource_type_association',
  properties: {
    name: {
      type: 'string',
      description: 'Resource type names should be aligned with Heat resource types whenever possible.',
      maxLength: 80,
    },
    prefix: {
      type: 'string',
      description:
        'Specifies the prefix to use for the given resource type. Any properties in the namespace should be ' +
        'prefixed with this prefix when being applied to the specified resource type.',
      maxLength: 80,
    },
    properties_target: {
      type: 'string',
      description:
        'Some resource types allow more than one key / value pair per instance. This specifies the target ' +
        'for the properties.',
      maxLength: 80,
    },
    created_at: {
      type: 'string',
      description: 'Date and time of resource type association',
      format: 'date-time',
      readOnly: true,
    },
    updated_at: {
      type: 'string',
      description: 'Date and time of the last resource type association modification',
      format: 'date-time',
      readOnly: true,
    },
  },
  additionalProperties: false,
  required: ['name'],
};

export const RESOURCE_TYPES_SCHEMA = {
  name: 'resource_type_associations',
  properties: {
    resource_type_associations: { type: 'array', items: RESOURCE_TYPE_SCHEMA },
    first: { type: 'string' },
    next: { type: 'string' },
    schema: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
};

/** "Metadata definition namespace=%s was not found." (glance exception.MetadefNamespaceNotFound). */
const namespaceNotFound = (ns: string) => new NotFound(`Metadata definition namespace=${ns} was not found.`);

export async function metadefRoutes(app: FastifyInstance): Promise<void> {
  const doc = (summary: string) => ({ tags: ['image'], summary });

  app.get(
    '/image/v2/schemas/metadefs/namespace',
    { schema: doc('The metadefs namespace JSON schema') },
    async () => NAMESPACE_SCHEMA,
  );
  app.get(
    '/image/v2/schemas/metadefs/namespaces',
    { schema: doc('The metadefs namespace list JSON schema') },
    async () => NAMESPACES_SCHEMA,
  );
  app.get(
    '/image/v2/schemas/metadefs/resource_type',
    { schema: doc('The metadefs resource type association JSON schema') },
    async () => RESOURCE_TYPE_SCHEMA,
  );
  app.get(
    '/image/v2/schemas/metadefs/resource_types',
    { schema: doc('The metadefs resource type association list JSON schema') },
    async () => RESOURCE_TYPES_SCHEMA,
  );

  app.get(
    '/image/v2/metadefs/namespaces',
    { schema: doc('List metadefs namespaces (none are loaded: an empty list)') },
    async (req) => {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      const params = new URLSearchParams(query);
      params.delete('marker');
      const rest = params.toString();
      return {
        namespaces: [],
        first: `/v2/metadefs/namespaces${rest ? `?${rest}` : ''}`,
        schema: '/v2/schemas/metadefs/namespaces',
      };
    },
  );
  app.get<{ Params: { namespace: string } }>(
    '/image/v2/metadefs/namespaces/:namespace',
    { schema: doc('Show a metadefs namespace (none are loaded: 404)') },
    async (req) => {
      throw namespaceNotFound(req.params.namespace);
    },
  );
  app.get<{ Params: { namespace: string } }>(
    '/image/v2/metadefs/namespaces/:namespace/resource_types',
    { schema: doc("A metadefs namespace's resource types (none are loaded: 404)") },
    async (req) => {
      throw namespaceNotFound(req.params.namespace);
    },
  );
  app.get(
    '/image/v2/metadefs/resource_types',
    { schema: doc('List metadefs resource types (none are loaded)') },
    async () => ({
      resource_types: [],
    }),
  );
}
