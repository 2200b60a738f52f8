/* eslint-disable @typescript-eslint/no-base-to-string -- fakes and tests handle free-form service JSON */
/**
 * Validates requests (and the fakes' own answers) against an official OpenAPI 2.0 spec with ajv:
 * path + method → operation, `api-version`, required path/query/header parameters (with their
 * patterns and lengths), and the JSON body against the operation's schema with every `$ref`
 * resolved. Swagger's polymorphism (`discriminator` + `x-ms-discriminator-value`) is rewritten
 * into if/then so a `DataBoxCustomerDisk` details object is checked against its own schema, not
 * just the base. The common-types files the spec points at are not copied; the few definitions
 * it needs are stubbed below with the standard ARM shapes.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = Record<string, unknown>;

interface Param {
  name: string;
  in: 'path' | 'query' | 'header' | 'body';
  required?: boolean;
  schema?: Json;
  type?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  enum?: string[];
}

interface Operation {
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  pathNames: string[];
  params: Param[];
  bodyValidator?: ValidateFunction;
  responseValidators: Map<string, ValidateFunction>;
}

/** What a matched request is. */
export interface MatchedOperation {
  operationId: string;
  pathParams: Record<string, string>;
}

/** Standard ARM common types (common-types/resource-management v2/v3), only what the specs use. */
const COMMON_DEFINITIONS: Record<string, Json> = {
  CT_systemData: {
    type: 'object',
    properties: {
      createdBy: { type: 'string' },
      createdByType: { type: 'string' },
      createdAt: { type: 'string' },
      lastModifiedBy: { type: 'string' },
      lastModifiedByType: { type: 'string' },
      lastModifiedAt: { type: 'string' },
    },
  },
  CT_ProxyResource: {
    type: 'object',
    properties: {
      id: { type: 'string', readOnly: true },
      name: { type: 'string', readOnly: true },
      type: { type: 'string', readOnly: true },
      systemData: { $ref: '#/definitions/CT_systemData' },
    },
  },
  CT_TrackedResource: {
    allOf: [{ $ref: '#/definitions/CT_ProxyResource' }],
    type: 'object',
    properties: {
      tags: { type: 'object', additionalProperties: { type: 'string' } },
      location: { type: 'string' },
    },
    required: ['location'],
  },
  CT_ErrorResponse: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  CT_OperationListResult: {
    type: 'object',
    properties: { value: { type: 'array' }, nextLink: { type: 'string' } },
  },
  CT_UserAssignedIdentity: {
    type: 'object',
    properties: { principalId: { type: 'string' }, clientId: { type: 'string' } },
  },
};
const COMMON_PARAMETERS: Record<string, Json> = {
  CT_ApiVersionParameter: {
    name: 'api-version',
    in: 'query',
    required: true,
    type: 'string',
    minLength: 1,
  },
  CT_SubscriptionIdParameter: {
    name: 'subscriptionId',
    in: 'path',
    required: true,
    type: 'string',
  },
  CT_ResourceGroupNameParameter: {
    name: 'resourceGroupName',
    in: 'path',
    required: true,
    type: 'string',
    minLength: 1,
    maxLength: 90,
  },
  CT_LocationParameter: {
    name: 'location',
    in: 'path',
    required: true,
    type: 'string',
    minLength: 1,
  },
};

function rewriteExternalRefs(text: string): string {
  return text
    .replace(
      /"\$ref":\s*"[./]*common-types\/resource-management\/v\d\/[a-z]+\.json#\/definitions\/([A-Za-z]+)"/g,
      '"$ref":"#/definitions/CT_$1"',
    )
    .replace(
      /"\$ref":\s*"[./]*common-types\/resource-management\/v\d\/types\.json#\/parameters\/([A-Za-z]+)"/g,
      '"$ref":"#/parameters/CT_$1"',
    );
}

/** Rewrites discriminator bases into `Base__core` + if/then dispatch to the subtypes. */
function expandDiscriminators(defs: Record<string, Json>): void {
  for (const [name, def] of Object.entries({ ...defs })) {
    const prop = def.discriminator;
    if (typeof prop !== 'string') continue;
    const core = `${name}__core`;
    const rest = { ...def };
    delete rest.discriminator;
    defs[core] = rest;
    const branches: Json[] = [];
    for (const [subName, sub] of Object.entries(defs)) {
      const allOf = sub.allOf as Json[] | undefined;
      if (!allOf?.some((a) => a.$ref === `#/definitions/${name}`)) continue;
      sub.allOf = allOf.map((a) =>
        a.$ref === `#/definitions/${name}` ? { $ref: `#/definitions/${core}` } : a,
      );
      const value = (sub['x-ms-discriminator-value'] as string | undefined) ?? subName;
      branches.push({
        if: { properties: { [prop]: { const: value } }, required: [prop] },
        then: { $ref: `#/definitions/${subName}` },
      });
    }
    defs[name] = { allOf: [{ $ref: `#/definitions/${core}` }, ...branches], required: [prop] };
  }
}

/** An OpenAPI 2.0 spec ready to validate requests. */
export class SpecValidator {
  readonly apiVersion: string;
  private readonly ops: Operation[] = [];
  private readonly ajv: Ajv;
  private readonly id: string;
  /** Properties marked `x-ms-secret`: services leave them out of answers even where required. */
  private readonly secretProps = new Set<string>();

  /**
   * @param options.extensibleEnums - an enum marked `x-ms-enum.modelAsString` takes any string
   *   (AutoRest's extensible enum): Microsoft.Storage's SAS `Permissions` lists single letters,
   *   while the service (and every SDK) sends combinations such as `rwdl`
   */
  constructor(file: string, options: { extensibleEnums?: boolean } = {}) {
    const spec = JSON.parse(rewriteExternalRefs(readFileSync(file, 'utf8'))) as Json;
    this.apiVersion = (spec.info as Json).version as string;
    const defs = { ...(spec.definitions as Record<string, Json>), ...COMMON_DEFINITIONS };
    if (options.extensibleEnums) {
      for (const def of Object.values(defs))
        if ((def['x-ms-enum'] as Json | undefined)?.modelAsString === true) delete def.enum;
    }
    for (const def of Object.values(defs)) {
      for (const [k, prop] of Object.entries(
        (def.properties as Record<string, Json> | undefined) ?? {},
      ))
        if (prop['x-ms-secret'] === true) this.secretProps.add(k);
    }
    expandDiscriminators(defs);
    const params = {
      ...((spec.parameters as Record<string, Json> | undefined) ?? {}),
      ...COMMON_PARAMETERS,
    };
    this.id = `https://spec.test/${encodeURIComponent(file)}`;
    this.ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const resolveParam = (p: Json): Param => {
      const ref = p.$ref as string | undefined;
      if (ref) {
        const key = ref.replace('#/parameters/', '');
        const target = params[key];
        if (!target) throw new Error(`spec: unknown parameter ${ref}`);
        return target as unknown as Param;
      }
      return p as unknown as Param;
    };
    const bodies: Record<string, Json> = {};
    const pending: { op: Operation; body?: string; responses: [string, string][] }[] = [];
    for (const [template, methods] of Object.entries(
      spec.paths as Record<string, Record<string, Json>>,
    )) {
      const shared = ((methods.parameters as Json[] | undefined) ?? []).map(resolveParam);
      for (const [method, opDef] of Object.entries(methods)) {
        if (method === 'parameters') continue;
        const opParams = [
          ...shared,
          ...((opDef.parameters as Json[] | undefined) ?? []).map(resolveParam),
        ];
        const pathNames: string[] = [];
        const regex = new RegExp(
          `^${template
            .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            .replace(/\{([^}]+)\}/g, (_m, n: string) => {
              pathNames.push(n);
              return '([^/]+)';
            })}$`,
          'i',
        );
        const op: Operation = {
          operationId: opDef.operationId as string,
          method: method.toUpperCase(),
          template,
          regex,
          pathNames,
          params: opParams,
          responseValidators: new Map(),
        };
        const entry: (typeof pending)[number] = { op, responses: [] };
        const body = opParams.find((p) => p.in === 'body');
        if (body?.schema) {
          const key = `__body_${op.operationId}`;
          bodies[key] = body.schema;
          entry.body = key;
        }
        for (const [status, r] of Object.entries((opDef.responses as Record<string, Json>) ?? {})) {
          const schema = r.schema as Json | undefined;
          if (!schema) continue;
          const key = `__response_${op.operationId}_${status}`;
          bodies[key] = schema;
          entry.responses.push([status, key]);
        }
        pending.push(entry);
        this.ops.push(op);
      }
    }
    this.ajv.addSchema({ $id: this.id, definitions: { ...defs, ...bodies } });
    for (const { op, body, responses } of pending) {
      if (body) op.bodyValidator = this.ajv.compile({ $ref: `${this.id}#/definitions/${body}` });
      for (const [status, key] of responses)
        op.responseValidators.set(
          status,
          this.ajv.compile({ $ref: `${this.id}#/definitions/${key}` }),
        );
    }
  }

  /** Finds the operation for a method + path (no query), or undefined. */
  match(
    method: string,
    path: string,
  ): { op: Operation; pathParams: Record<string, string> } | undefined {
    for (const op of this.ops) {
      if (op.method !== method.toUpperCase()) continue;
      const m = op.regex.exec(path);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      op.pathNames.forEach((n, i) => (pathParams[n] = decodeURIComponent(m[i + 1]!)));
      return { op, pathParams };
    }
    return undefined;
  }

  /**
   * Validates one request. Returns the operation, or the list of violations (never empty when
   * returned as `errors`).
   */
  validateRequest(req: {
    method: string;
    url: URL;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }): { ok: true; matched: MatchedOperation } | { ok: false; errors: string[] } {
    const found = this.match(req.method, req.url.pathname);
    if (!found)
      return { ok: false, errors: [`no operation ${req.method} ${req.url.pathname} in the spec`] };
    const { op, pathParams } = found;
    const errors: string[] = [];
    for (const p of op.params) {
      let value: unknown;
      if (p.in === 'path') value = pathParams[p.name];
      else if (p.in === 'query') value = req.url.searchParams.get(p.name) ?? undefined;
      else if (p.in === 'header') value = req.headers[p.name.toLowerCase()];
      else if (p.in === 'body') value = req.body;
      if (value === undefined || value === null) {
        if (p.required)
          errors.push(`${op.operationId}: missing required ${p.in} parameter ${p.name}`);
        continue;
      }
      if (p.in === 'body') continue;
      const s = String(value);
      if (p.pattern && !new RegExp(p.pattern, 'u').test(s))
        errors.push(`${p.name} "${s}" does not match ${p.pattern}`);
      if (p.minLength !== undefined && s.length < p.minLength)
        errors.push(`${p.name} shorter than ${p.minLength}`);
      if (p.maxLength !== undefined && s.length > p.maxLength)
        errors.push(`${p.name} longer than ${p.maxLength}`);
      if (p.enum && !p.enum.includes(s))
        errors.push(`${p.name} "${s}" not one of ${p.enum.join(', ')}`);
    }
    const apiVersion = req.url.searchParams.get('api-version');
    if (apiVersion !== this.apiVersion)
      errors.push(`api-version is ${apiVersion ?? 'missing'}, the spec is ${this.apiVersion}`);
    if (op.bodyValidator && req.body !== undefined && !op.bodyValidator(req.body)) {
      for (const e of op.bodyValidator.errors ?? [])
        errors.push(`${op.operationId} body${e.instancePath}: ${e.message ?? ''}`);
    }
    return errors.length
      ? { ok: false, errors }
      : { ok: true, matched: { operationId: op.operationId, pathParams } };
  }

  /** Validates an answer of the fake against the operation's response schema (keeps fakes honest). */
  validateResponse(operationId: string, status: number, body: unknown): string[] {
    const op = this.ops.find((o) => o.operationId === operationId);
    const v =
      op?.responseValidators.get(String(status)) ??
      (status >= 400 ? op?.responseValidators.get('default') : undefined);
    if (!v || body === undefined) return [];
    if (v(body)) return [];
    const real = (v.errors ?? []).filter(
      (e) =>
        e.keyword !== 'if' &&
        !(
          e.keyword === 'required' &&
          this.secretProps.has((e.params as { missingProperty?: string }).missingProperty ?? '')
        ),
    );
    return real.map(
      (e) => `${operationId} ${status} response${e.instancePath}: ${e.message ?? ''}`,
    );
  }
}

/** The copies of the official specs the fakes validate against (one copy each). */
export const SPECS_DIR = fileURLToPath(new URL('../fixtures/specs/', import.meta.url));

const loaded = new Map<string, SpecValidator>();

/**
 * The validator of one spec in {@link SPECS_DIR} (e.g. `databox-2025-07-01.json`), compiled once
 * per test file and shared by every fake that speaks that API.
 */
export function specValidator(
  file: string,
  options: { extensibleEnums?: boolean } = {},
): SpecValidator {
  let v = loaded.get(file);
  if (!v) {
    v = new SpecValidator(path.join(SPECS_DIR, file), options);
    loaded.set(file, v);
  }
  return v;
}
