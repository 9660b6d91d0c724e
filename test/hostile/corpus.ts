/**
 * The hostile request corpus (issue 7, part 1): hundreds of requests no honest Wix would send, each
 * with what a correct adaptor must answer. Declared as data; `corpus.test.ts` sends every case over
 * real HTTP to the local server and checks the answer.
 *
 * Expectations:
 * - `reject`: a 4xx with the protocol's error body (a 413: API Gateway's body, see `oversized`);
 * - `perItem`: a 4xx, or a 200 whose `results[i]` is each exactly one of `item`/`error`, every
 *   error carrying an `errorCode` (the protocol's per-item errors);
 * - `perItemErrors`: like `perItem`, but every slot listed in `errorSlots` (default: all) must be an
 *   error with `errorCode` `slotCode` (e.g. VALIDATION_ERROR for an item over 400 KB);
 * - `tolerate`: a 4xx, or a 200 with a JSON object body: the request is hostile but legal (a filter
 *   on a field called `constructor`, an unknown id that is simply not found, ...).
 * No case may ever answer a 5xx, hang, leak a stack trace, a path, the table name or another tenant's data.
 */
import { randomUUID } from 'node:crypto';
import { eventBytes, httpApiEvent, MAX_INVOKE_REQUEST_BYTES } from '../../bin/local/httpApiEvent';
import {
  deepArrayText,
  deepFilterText,
  deepObjectText,
  jws,
  nowSeconds,
  payloadText,
  signedText,
} from './jwt';

export type Expectation = 'reject' | 'perItem' | 'perItemErrors' | 'tolerate';
export type Protocol = 'v3' | 'legacy';

export interface HostileCase {
  readonly category: string;
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** The error body shape: `errorCode` (V3, unknown paths) or `message` (legacy paths). */
  readonly protocol: Protocol;
  /** Built lazily: some bodies are megabytes. */
  readonly body: () => string | Buffer;
  readonly expect: Expectation;
  /** The exact status required, when the protocol or the issue names one. */
  readonly status?: number;
  readonly slotCode?: string;
  readonly errorSlots?: readonly number[];
  readonly headers?: Record<string, string>;
  /** Set only for a case that reproduces a confirmed adaptor bug: the test is then `it.failing`. */
  readonly knownBug?: string;
}

export interface CorpusContext {
  /** The attacker's own tenant (instanceId); it owns the collections below. */
  readonly tenant: string;
  /** An existing collection: title TEXT, n NUMBER, tags ARRAY_STRING, refs MULTI_REFERENCE -> refTarget. */
  readonly collection: string;
  readonly refTarget: string;
  /** Existing collections that destructive operations (truncate, delete, update) aim at. */
  readonly scratch: string;
  /** An existing collection (refs MULTI_REFERENCE -> refTarget) that receives items with hostile ids. */
  readonly poison: string;
  /** Ids of items that exist in `collection`. */
  readonly itemIds: readonly string[];
  readonly secret: string;
  readonly privateKeyPem: string;
}

/** Confirmed adaptor bugs reproduced by cases below (each such case is `it.failing`). */
export const BUGS = {
  loneSurrogateTenant:
    'an instanceId holding a lone UTF-16 surrogate makes encodeURIComponent throw URIError in store/keys.ts encodePart: 500 instead of 400',
  loneSurrogateItemId:
    'an item _id holding a lone surrogate is stored (200); afterwards every reference path that encodes it throws URIError ' +
    '(store/keys.ts encodePart via store/references.ts, service/references.ts sort): includeReferencedItems, ' +
    'insert-references, query-referenced and remove-references answer 500',
  longCollectionIdGet:
    'collections/get does not bound collectionIds[i]: an id over 1,024 bytes reaches DynamoDB as a sort key, ValidationException, 500',
  collectionRecordUnchecked:
    'collections/create writes the collection record to DynamoDB without the checks items get (size, depth, empty keys): ' +
    '1,000 fields x 1 KB descriptions -> "Item size has exceeded the maximum allowed size"; objectOptions 10,000 deep -> ' +
    'RangeError (stack overflow) in store/codec.ts toAttr; objectOptions {"": 1} -> "Empty attribute name"; each a 500 instead of 400',
  stringOfObject:
    'error paths call String(value) on request JSON; an object whose toString is not a function ({"toString": null}) makes ' +
    'String() throw TypeError "Cannot convert object to primitive value": 500 instead of 400 (service/collectionModel.ts ' +
    'validateCollectionId, field key and permissions role; protocol/legacy/filter.ts unknown v1 operator) (found by fuzz.test.ts)',
  stringifyRejected:
    'validation errors JSON.stringify the rejected value with no depth bound (query/parse.ts fail, protocol/v3/queryRequest.ts bad, protocol/legacy/requests.ts bad): a 10,000-deep value makes the 400 path itself throw RangeError, 500',
  aggregateKindPrototype:
    'aggregation.operations kinds are looked up in a plain object (protocol/v3/aggregateRequest.ts KINDS[k]), so "constructor", "__proto__", "toString" pass as operation kinds: 200 with a meaningless result instead of 400',
} as const;

const MB = 1024 * 1024;
const KB = 1024;

/** The Host header the exact-boundary cases send, so their event's size does not depend on the port. */
const BOUNDARY_HOST = 'hostile.test';

/**
 * The length of a plain-text body of unescaped ASCII whose payload-2.0 event, as the local server
 * builds it for the request corpus.test.ts sends (its headers, Host fixed), is exactly Lambda's limit.
 */
function largestPlainBodyAt(path: string): number {
  const headers = {
    'content-type': 'text/plain',
    'content-length': '6291456', // the same number of digits as the boundary body's length
    host: BOUNDARY_HOST,
    connection: 'close',
  };
  const oneByte = httpApiEvent({
    method: 'POST',
    path,
    rawQueryString: '',
    headers,
    body: Buffer.from('a'),
    sourceIp: '127.0.0.1',
  });
  return MAX_INVOKE_REQUEST_BYTES - (eventBytes(oneByte) - 1);
}
const V3_PATHS = {
  capabilities: '/v3/capabilities/get',
  collectionsGet: '/v3/collections/get',
  collectionsCreate: '/v3/collections/create',
  collectionsUpdate: '/v3/collections/update',
  collectionsDelete: '/v3/collections/delete',
  query: '/v3/items/query',
  count: '/v3/items/count',
  aggregate: '/v3/items/aggregate',
  distinct: '/v3/items/query-distinct-values',
  insert: '/v3/items/insert',
  update: '/v3/items/update',
  remove: '/v3/items/remove',
  truncate: '/v3/items/truncate',
  queryReferenced: '/v3/items/query-referenced',
  insertReferences: '/v3/items/insert-references',
  removeReferences: '/v3/items/remove-references',
} as const;
type V3Op = keyof typeof V3_PATHS;

export const LEGACY_PATHS = [
  '/provision',
  '/schemas/list',
  '/schemas/list/headers',
  '/schemas/find',
  '/schemas/create',
  '/schemas/column/add',
  '/schemas/column/remove',
  '/data/find',
  '/data/get',
  '/data/count',
  '/data/aggregate',
  '/data/insert',
  '/data/insert/bulk',
  '/data/update',
  '/data/update/bulk',
  '/data/remove',
  '/data/remove/bulk',
  '/data/truncate',
] as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Sets `path` (dotted) inside a clone of `base`; the last segment may be created. */
function withValue(base: Record<string, Json>, path: string, value: Json): Record<string, Json> {
  const out = clone(base);
  const parts = path.split('.');
  let cur: Record<string, Json> = out;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== 'object' || next === null) cur[p] = {};
    cur = cur[p] as Record<string, Json>;
  }
  cur[parts[parts.length - 1]!] = value;
  return out;
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

export function buildCorpus(ctx: CorpusContext): HostileCase[] {
  const cases: HostileCase[] = [];
  const C = ctx.collection;
  const key = ctx.privateKeyPem;
  const sig = (requestText: string, opts: Parameters<typeof signedText>[2] = {}) =>
    signedText(requestText, key, { tenant: ctx.tenant, ...opts });
  const signed = (request: unknown) => sig(JSON.stringify(request));
  let uniq = 0;
  const fresh = (prefix: string) => `${prefix}-${++uniq}`;

  function v3(
    category: string,
    name: string,
    op: V3Op,
    body: () => string | Buffer,
    expect: Expectation = 'reject',
    extra: Partial<HostileCase> = {},
  ): void {
    cases.push({
      category,
      name,
      method: 'POST',
      path: V3_PATHS[op],
      protocol: 'v3',
      body,
      expect,
      ...extra,
    });
  }
  const v3req = (
    category: string,
    name: string,
    op: V3Op,
    request: unknown,
    expect: Expectation = 'reject',
    extra: Partial<HostileCase> = {},
  ) => v3(category, name, op, () => signed(request), expect, extra);
  const v3text = (
    category: string,
    name: string,
    op: V3Op,
    requestText: string,
    expect: Expectation = 'reject',
    extra: Partial<HostileCase> = {},
  ) => v3(category, name, op, () => sig(requestText), expect, extra);

  function legacy(
    category: string,
    name: string,
    path: string,
    body: () => string | Buffer,
    expect: Expectation = 'reject',
    extra: Partial<HostileCase> = {},
  ): void {
    cases.push({ category, name, method: 'POST', path, protocol: 'legacy', body, expect, ...extra });
  }
  const requestContextText = (instanceId = ctx.tenant, secret = ctx.secret) =>
    JSON.stringify({ settings: { secretKey: secret }, instanceId, installationId: 'hostile', role: 'OWNER' });
  /** An authenticated legacy body: `{requestContext, ...rest}` with `restText` spliced in verbatim. */
  const legacyAuthed = (restText: string) =>
    `{"requestContext":${requestContextText()}${restText ? `,${restText}` : ''}}`;

  const baseQuery: Record<string, Json> = {
    collectionId: C,
    query: { filter: {}, sort: [{ fieldName: 'title', order: 'ASC' }], paging: { limit: 10, offset: 0 } },
    consistentRead: false,
    returnTotalCount: false,
  };
  const validQueryToken = () => signed(baseQuery);

  // ---------------------------------------------------------------------------------------------
  // 1. Truncated, garbled and mangled JWTs (each a 401: the body is not a valid token)
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'truncated-jwt';
    const mangle = (name: string, f: (t: string) => string | Buffer) =>
      v3(cat, name, 'query', () => f(validQueryToken()), 'reject', { status: 401 });
    const at = (t: string, seg: number) => t.split('.').slice(0, seg).join('.').length;
    mangle('first byte only', (t) => t.slice(0, 1));
    mangle('first 10 bytes', (t) => t.slice(0, 10));
    mangle('header only', (t) => t.slice(0, at(t, 1)));
    mangle('header and dot', (t) => t.slice(0, at(t, 1) + 1));
    mangle('header and half the payload', (t) =>
      t.slice(0, at(t, 1) + Math.floor((at(t, 2) - at(t, 1)) / 2)),
    );
    mangle('header.payload without signature dot', (t) => t.slice(0, at(t, 2)));
    mangle('header.payload. (empty signature)', (t) => t.slice(0, at(t, 2) + 1));
    mangle('half the signature', (t) => t.slice(0, at(t, 2) + Math.floor((t.length - at(t, 2)) / 2)));
    mangle('last byte cut', (t) => t.slice(0, -1));
    mangle('payload segment missing its last 4 chars', (t) => {
      const [h, p, s] = t.split('.');
      return `${h}.${p!.slice(0, -4)}.${s}`;
    });
    mangle('signature base64 padded with =', (t) => `${t}==`);
    mangle('newline inside the token', (t) => `${t.slice(0, 20)}\n${t.slice(20)}`);
    mangle('space inside the token', (t) => `${t.slice(0, 40)} ${t.slice(40)}`);
    mangle('token quoted twice', (t) => JSON.stringify(JSON.stringify(t)));
    mangle('token in a broken JSON string', (t) => `"${t}\\u12"`);
    mangle('token followed by garbage', (t) => `${t}.extra`);
    mangle('base64 (not base64url) alphabet', (t) => t.replace(/-/g, '+').replace(/_/g, '/') + '+/+/');
    mangle('token repeated twice', (t) => `${t}${t}`);
    mangle('bearer prefix', (t) => `Bearer ${t}`);
    mangle('JSON object wrapping the token', (t) => JSON.stringify({ jwt: t }));
    mangle(
      'header not JSON',
      (t) => `${Buffer.from('{alg:RS256').toString('base64url')}.${t.split('.')[1]}.${t.split('.')[2]}`,
    );
    mangle(
      'header JSON array',
      (t) => `${Buffer.from('["RS256"]').toString('base64url')}.${t.split('.')[1]}.${t.split('.')[2]}`,
    );
    mangle('payload not JSON, signed', () => jws({ alg: 'RS256' }, 'not json at all', key));
    mangle('payload a JSON string, signed', () => jws({ alg: 'RS256' }, '"just a string"', key));
    mangle('payload a JSON array, signed', () => jws({ alg: 'RS256' }, '[1,2,3]', key));
    mangle('payload truncated JSON, signed', () =>
      jws({ alg: 'RS256' }, payloadText('{}', { tenant: ctx.tenant }).slice(0, -5), key),
    );
    mangle('empty header and payload segments', () => '..');
    mangle('only dots', () => '.....');
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Oversized requests: Lambda refuses an event (the whole payload-2.0 JSON, base64 body
  //    included) over 6,291,456 bytes and API Gateway answers 413 {"message":"Request Entity Too
  //    Large"}; the local server measures its event the same way. Then bodies just under the limit.
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'oversized';
    v3(
      cat,
      'signed JWT of about 6.6 MB (a 5 MB string inside)',
      'insert',
      () => signed({ collectionId: C, items: [{ _id: 'huge', title: 'x'.repeat(5 * MB) }] }),
      'reject',
      { status: 413 },
    );
    v3(cat, '7 MB of garbage', 'query', () => Buffer.alloc(7 * MB, 0x61), 'reject', { status: 413 });
    v3(cat, 'exactly 6 MiB + 1 byte', 'query', () => Buffer.alloc(6 * MB + 1, 0x61), 'reject', {
      status: 413,
    });
    v3(
      cat,
      'exactly 6 MiB of garbage: its event (body plus envelope) is over the limit',
      'query',
      () => Buffer.alloc(6 * MB, 0x61),
      'reject',
      { status: 413 },
    );
    const boundary = largestPlainBodyAt(V3_PATHS.query);
    v3(
      cat,
      'largest accepted event (exactly 6,291,456 bytes of JSON): reaches the adaptor (401)',
      'query',
      () => Buffer.alloc(boundary, 0x61),
      'reject',
      { status: 401, headers: { host: BOUNDARY_HOST } },
    );
    v3(
      cat,
      'smallest refused event (6,291,457 bytes of JSON): 413',
      'query',
      () => Buffer.alloc(boundary + 1, 0x61),
      'reject',
      { status: 413, headers: { host: BOUNDARY_HOST } },
    );
    v3(
      cat,
      '5 MB binary body: under 6 MB raw, but base64-encoded in the event (6.7 MB)',
      'query',
      () => Buffer.alloc(5 * MB, 0x61),
      'reject',
      { status: 413, headers: { 'content-type': 'application/octet-stream' } },
    );
    v3(
      cat,
      '3.5 MB of quotes: under 6 MB raw, but JSON escaping doubles it in the event',
      'query',
      () => Buffer.alloc(3.5 * MB, 0x22),
      'reject',
      { status: 413 },
    );
    v3(
      cat,
      '4 MB binary body: base64-encoded it fits (reaches the adaptor: 401)',
      'query',
      () => Buffer.alloc(4 * MB, 0x61),
      'reject',
      { status: 401, headers: { 'content-type': 'application/octet-stream' } },
    );
    cases.push({
      category: cat,
      name: '7 MB body to an unknown path',
      method: 'POST',
      path: '/v3/nothing/here',
      protocol: 'v3',
      body: () => Buffer.alloc(7 * MB, 0x62),
      expect: 'reject',
      status: 413,
    });
    legacy(
      cat,
      '7 MB JSON body to /data/insert/bulk',
      '/data/insert/bulk',
      () => legacyAuthed(`"collectionName":"${C}","items":[{"title":"${'y'.repeat(7 * MB)}"}]`),
      'reject',
      { status: 413 },
    );
    v3(
      cat,
      'JWT of about 5.4 MB (4 MB string) under the limit: per-item VALIDATION_ERROR',
      'insert',
      () => signed({ collectionId: C, items: [{ _id: 'four-mb', title: 'z'.repeat(4 * MB) }] }),
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 3. data / data.request / data.metadata of the wrong kind, and 10,000-level nesting
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'envelope';
    for (const [name, text] of [
      ['a string', '"items please"'],
      ['an array', `[{"collectionId":"${C}"}]`],
      ['a number', '42'],
      ['true', 'true'],
      ['an empty array', '[]'],
      ['a 10,000-deep object', deepObjectText(10_000)],
      ['a 10,000-deep array', deepArrayText(10_000)],
    ] as const) {
      v3text(cat, `data.request is ${name} (query)`, 'query', text);
    }
    v3text(cat, 'data.request is null (query: missing collectionId)', 'query', 'null');
    v3text(cat, 'data.request is a 10,000-deep object (insert)', 'insert', deepObjectText(10_000));
    v3text(
      cat,
      'data.request is a 10,000-deep object (capabilities/get)',
      'capabilities',
      deepObjectText(10_000),
      'tolerate',
    );
    v3text(
      cat,
      'query is 10,000 deep (an unknown key, ignored)',
      'query',
      `{"collectionId":"${C}","query":${deepObjectText(10_000)}}`,
      'tolerate',
    );
    v3text(
      cat,
      'query.filter is a 10,000-deep $and',
      'query',
      `{"collectionId":"${C}","query":{"filter":${deepFilterText(10_000, '$and')}}}`,
    );
    v3text(
      cat,
      'query.filter is a 10,000-deep plain object value',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"title":${deepObjectText(10_000)}}}}`,
      'tolerate',
      {},
    );
    v3text(
      cat,
      'count filter $in holding a 10,000-deep value',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"$in":[${deepObjectText(10_000)}]}}}`,
      'tolerate',
      {},
    );
    v3text(
      cat,
      'query.sort is a 10,000-deep array',
      'query',
      `{"collectionId":"${C}","query":{"sort":${deepArrayText(10_000)}}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'query.paging is 10,000 deep',
      'query',
      `{"collectionId":"${C}","query":{"paging":${deepObjectText(10_000, 'limit')}}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'aggregate sort is a 10,000-deep array',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"groupingFields":["title"]},"sort":${deepArrayText(10_000)}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'an item 10,000 deep (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"deep-10k","v":${deepObjectText(10_000)}}]}`,
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3text(
      cat,
      'an item with a 10,000-deep array (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"deep-10k-arr","v":${deepArrayText(10_000)}}]}`,
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3text(
      cat,
      'an item 10,000 deep (update)',
      'update',
      `{"collectionId":"${C}","items":[{"_id":"${ctx.itemIds[0]}","v":${deepObjectText(10_000)}}]}`,
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3text(
      cat,
      'items is a 10,000-deep array',
      'insert',
      `{"collectionId":"${C}","items":${deepArrayText(10_000)}}`,
    );
    v3text(
      cat,
      'collection (create) 10,000 deep',
      'collectionsCreate',
      `{"collection":${deepObjectText(10_000, 'fields')}}`,
    );
    v3text(
      cat,
      'collection field options 10,000 deep (create)',
      'collectionsCreate',
      `{"collection":{"id":"${fresh('deepopts')}","fields":[{"key":"o","type":"OBJECT","objectOptions":${deepObjectText(10_000, 'fields')}}]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'collection field options with an empty key (create)',
      'collectionsCreate',
      `{"collection":{"id":"${fresh('emptyopt')}","fields":[{"key":"o","type":"OBJECT","objectOptions":{"":1}}]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'aggregation 10,000 deep',
      'aggregate',
      `{"collectionId":"${C}","aggregation":${deepObjectText(10_000, 'operations')}}`,
    );
    v3text(
      cat,
      'itemIds a 10,000-deep array (remove)',
      'remove',
      `{"collectionId":"${C}","itemIds":${deepArrayText(10_000)}}`,
    );
    v3text(
      cat,
      'references 10,000 deep',
      'insertReferences',
      `{"collectionId":"${C}","referringFieldKey":"refs","references":${deepArrayText(10_000)}}`,
    );
    v3text(
      cat,
      'includeReferencedItems filter 10,000 deep',
      'query',
      `{"collectionId":"${C}","includeReferencedItems":[{"fieldKey":"refs","filter":${deepFilterText(10_000, '$or')}}]}`,
    );
    v3(
      cat,
      'data.metadata 10,000 deep',
      'query',
      () => sig(JSON.stringify(baseQuery), { metadataText: deepObjectText(10_000, 'identity') }),
      'tolerate',
    );
    v3(
      cat,
      'data.metadata.identity 10,000 deep',
      'query',
      () =>
        sig(JSON.stringify(baseQuery), {
          metadataText: `{"instanceId":"${ctx.tenant}","identity":${deepObjectText(10_000)}}`,
        }),
      'tolerate',
    );
    v3(cat, 'data is a string', 'query', () =>
      jws({ alg: 'RS256' }, payloadText(undefined, { dataText: '"x"' }), key),
    );
    v3(cat, 'data is an array', 'query', () =>
      jws({ alg: 'RS256' }, payloadText(undefined, { dataText: '[]' }), key),
    );
    v3(cat, 'data is null', 'query', () =>
      jws({ alg: 'RS256' }, payloadText(undefined, { dataText: 'null' }), key),
    );
    v3(cat, 'data is 10,000 deep', 'query', () =>
      jws({ alg: 'RS256' }, payloadText(undefined, { dataText: deepObjectText(10_000, 'request') }), key),
    );
    v3(cat, 'data missing', 'query', () =>
      jws(
        { alg: 'RS256' },
        JSON.stringify({ iss: 'wix.com', iat: nowSeconds(), exp: nowSeconds() + 300 }),
        key,
      ),
    );
    v3(cat, 'data.metadata is a string', 'query', () =>
      sig(JSON.stringify(baseQuery), { metadataText: '"meta"' }),
    );
    v3(cat, 'data.metadata.instanceId is a number', 'query', () =>
      sig(JSON.stringify(baseQuery), { metadataText: '{"instanceId":5}' }),
    );
    v3(cat, 'data.metadata.instanceId is an object', 'query', () =>
      sig(JSON.stringify(baseQuery), { metadataText: '{"instanceId":{"$ne":null}}' }),
    );
    v3(cat, 'data.metadata.instanceId is 2 MB', 'query', () =>
      sig(JSON.stringify(baseQuery), { metadataText: `{"instanceId":"${'i'.repeat(2 * MB)}"}` }),
    );
    v3(
      cat,
      'data.metadata.requestId is 2 MB (ignored)',
      'query',
      () =>
        sig(JSON.stringify(baseQuery), {
          metadataText: `{"instanceId":"${ctx.tenant}","requestId":"${'r'.repeat(2 * MB)}"}`,
        }),
      'tolerate',
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Filters nested 1,000 deep (and other filter abuse) on every operation that takes one
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'deep-filter';
    const wraps = ['$and', '$or', '$not', '$notArr'] as const;
    for (const w of wraps) {
      const f = () => deepFilterText(1000, w);
      v3text(cat, `query filter ${w} x1000`, 'query', `{"collectionId":"${C}","query":{"filter":${f()}}}`);
      v3text(cat, `count filter ${w} x1000`, 'count', `{"collectionId":"${C}","filter":${f()}}`);
    }
    v3text(
      cat,
      'aggregate initialFilter $and x1000',
      'aggregate',
      `{"collectionId":"${C}","initialFilter":${deepFilterText(1000, '$and')},"aggregation":{"operations":[{"resultFieldName":"c","itemCount":{}}]}}`,
    );
    v3text(
      cat,
      'aggregate finalFilter $or x1000',
      'aggregate',
      `{"collectionId":"${C}","finalFilter":${deepFilterText(1000, '$or', '{"c":1}')},"aggregation":{"operations":[{"resultFieldName":"c","itemCount":{}}]}}`,
    );
    v3text(
      cat,
      'distinct filter $not x1000',
      'distinct',
      `{"collectionId":"${C}","fieldName":"title","filter":${deepFilterText(1000, '$not')}}`,
    );
    v3text(
      cat,
      'field-level $not x1000',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"title":${'{"$not":'.repeat(1000)}{"$eq":"x"}${'}'.repeat(1000)}}}}`,
    );
    v3text(
      cat,
      'eq on a 1,000-deep object value',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"title":${deepObjectText(1000)}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'eq on a 1,000-deep array value',
      'count',
      `{"collectionId":"${C}","filter":{"tags":${deepArrayText(1000)}}}`,
      'tolerate',
    );
    v3text(
      cat,
      '$in with a 1,000-deep element',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"title":{"$in":[${deepObjectText(1000)}]}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      '$hasSome with a 1,000-deep element',
      'count',
      `{"collectionId":"${C}","filter":{"tags":{"$hasSome":[${deepArrayText(1000)}]}}}`,
      'tolerate',
    );
    v3req(cat, '$or of 3,000 branches', 'query', {
      collectionId: C,
      query: { filter: { $or: Array.from({ length: 3000 }, (_, i) => ({ n: i })) } },
    });
    v3req(
      cat,
      '$or of 500 branches (count)',
      'count',
      { collectionId: C, filter: { $or: Array.from({ length: 500 }, (_, i) => ({ title: `t${i}` })) } },
      'tolerate',
    );
    v3req(
      cat,
      '$or of 500 branches (query)',
      'query',
      { collectionId: C, query: { filter: { $or: Array.from({ length: 500 }, (_, i) => ({ n: i })) } } },
      'tolerate',
    );
    v3req(
      cat,
      '$in with 5,000 values',
      'query',
      {
        collectionId: C,
        query: { filter: { title: { $in: Array.from({ length: 5000 }, (_, i) => `v${i}`) } } },
      },
      'tolerate',
    );
    v3req(
      cat,
      '$in with 5,000 values on _id',
      'query',
      {
        collectionId: C,
        query: { filter: { _id: { $in: Array.from({ length: 5000 }, (_, i) => `id${i}`) } } },
      },
      'tolerate',
    );
    v3req(
      cat,
      '$hasAll with 5,000 values',
      'count',
      { collectionId: C, filter: { tags: { $hasAll: Array.from({ length: 5000 }, (_, i) => `v${i}`) } } },
      'tolerate',
    );
    v3req(
      cat,
      'count with a denormal number operand (5e-324)',
      'count',
      { collectionId: C, filter: { title: 5e-324 } },
      'tolerate',
    );
    v3req(
      cat,
      'query $gt 1e200',
      'query',
      { collectionId: C, query: { filter: { n: { $gt: 1e200 } } } },
      'tolerate',
    );
    v3req(
      cat,
      'query $in holding -1e-200',
      'query',
      { collectionId: C, query: { filter: { n: { $in: [1, -1e-200] } } } },
      'tolerate',
    );
    v3req(
      cat,
      'distinct filter 1e300',
      'distinct',
      { collectionId: C, fieldName: 'n', filter: { n: 1e300 } },
      'tolerate',
    );
    v3req(
      cat,
      'aggregate initialFilter $lt 1e300',
      'aggregate',
      {
        collectionId: C,
        aggregation: { operations: [{ resultFieldName: 'c', itemCount: {} }] },
        initialFilter: { n: { $lt: 1e300 } },
      },
      'tolerate',
    );
    v3req(
      cat,
      'insert an item holding 5e-324 (per-item error)',
      'insert',
      { collectionId: C, items: [{ _id: 'denormal', n: 5e-324 }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      'isNotEmpty: {title: {$ne: null}} (count)',
      'count',
      { collectionId: C, filter: { title: { $ne: null } } },
      'tolerate',
    );
    v3req(
      cat,
      'isNotEmpty: {title: {$ne: null}} (query)',
      'query',
      { collectionId: C, query: { filter: { title: { $ne: null } } } },
      'tolerate',
    );
    v3req(
      cat,
      'isEmpty and another clause: {title: null, n: 1}',
      'count',
      { collectionId: C, filter: { title: null, n: 1 } },
      'tolerate',
    );
    v3req(
      cat,
      '$or holding isEmpty',
      'query',
      { collectionId: C, query: { filter: { $or: [{ title: null }, { n: 1 }] } } },
      'tolerate',
    );
    v3req(
      cat,
      '$not of isEmpty',
      'distinct',
      { collectionId: C, fieldName: 'title', filter: { $not: { tags: null } } },
      'tolerate',
    );
    v3req(
      cat,
      'hasSome and another clause: {tags: {$hasSome: [a]}, n: 1}',
      'query',
      { collectionId: C, query: { filter: { tags: { $hasSome: ['a'] }, n: 1 } } },
      'tolerate',
    );
    v3req(
      cat,
      '$isEmpty and another clause',
      'count',
      { collectionId: C, filter: { title: { $isEmpty: true }, n: 1 } },
      'tolerate',
    );
    v3req(
      cat,
      '$not of $isEmpty',
      'count',
      { collectionId: C, filter: { $not: { title: { $isEmpty: true } } } },
      'tolerate',
    );
    v3req(
      cat,
      '$not of a one-branch $or',
      'count',
      { collectionId: C, filter: { $not: [{ $or: [{ n: 1 }] }] } },
      'tolerate',
    );
    v3req(
      cat,
      '$and of a one-branch $or and a clause',
      'query',
      { collectionId: C, query: { filter: { $and: [{ $or: [{ n: 1 }] }, { title: 'a' }] } } },
      'tolerate',
    );
    v3req(
      cat,
      'aggregate initialFilter isNotEmpty',
      'aggregate',
      {
        collectionId: C,
        initialFilter: { title: { $ne: null } },
        aggregation: { groupingFields: ['title'] },
      },
      'tolerate',
    );
    v3req(cat, '$regex (not allowed by Wix)', 'query', {
      collectionId: C,
      query: { filter: { title: { $regex: '.*' } } },
    });
    v3req(cat, '$where', 'query', { collectionId: C, query: { filter: { $where: 'this.title' } } });
    v3req(cat, 'unknown top-level operator $expr', 'count', {
      collectionId: C,
      filter: { $expr: { $gt: ['$n', 1] } },
    });
    v3req(cat, '$and not an array', 'query', {
      collectionId: C,
      query: { filter: { $and: { title: 'x' } } },
    });
    v3req(cat, '$not with two elements', 'query', {
      collectionId: C,
      query: { filter: { $not: [{ title: 'a' }, { title: 'b' }] } },
    });
    v3req(cat, '$in not an array', 'count', { collectionId: C, filter: { title: { $in: 'abc' } } });
    v3req(cat, '$exists not a boolean', 'count', { collectionId: C, filter: { title: { $exists: 'yes' } } });
    v3req(cat, '$gt with an object operand', 'count', { collectionId: C, filter: { n: { $gt: { a: 1 } } } });
    v3req(cat, '$matches with a broken spec', 'count', {
      collectionId: C,
      filter: { title: { $matches: { spec: 'x' } } },
    });
    v3req(
      cat,
      '$matches with 10,000 spec parts',
      'count',
      {
        collectionId: C,
        filter: {
          title: {
            $matches: {
              ignoreCase: true,
              spec: Array.from({ length: 10_000 }, () => ({ type: 'anyOf', value: ' -' })),
            },
          },
        },
      },
      'tolerate',
    );
    v3req(
      cat,
      '$urlized with a catastrophic-backtracking-looking slug',
      'count',
      { collectionId: C, filter: { title: { $urlized: `${'a-'.repeat(5000)}!` } } },
      'tolerate',
    );
    v3req(
      cat,
      '$startsWith of 2 MB',
      'count',
      { collectionId: C, filter: { title: { $startsWith: 's'.repeat(2 * MB) } } },
      'tolerate',
    );
    v3req(cat, 'operators mixed with plain keys', 'count', {
      collectionId: C,
      filter: { title: { $eq: 'a', plain: 1 } },
    });
    v3req(cat, 'empty field path', 'count', { collectionId: C, filter: { '': 'x' } });
    v3req(cat, 'field path of dots only', 'count', { collectionId: C, filter: { '...': 'x' } });
    v3req(
      cat,
      'field path with 1,000 segments',
      'count',
      { collectionId: C, filter: { [Array.from({ length: 1000 }, () => 'a').join('.')]: 1 } },
      'tolerate',
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 5. 2 MB strings in values, field names, ids and names
  // ---------------------------------------------------------------------------------------------
  {
    const cat = '2mb-strings';
    const big = () => 's'.repeat(2 * MB);
    v3(
      cat,
      '2 MB value in an item (insert)',
      'insert',
      () => signed({ collectionId: C, items: [{ _id: 'big-value', title: big() }] }),
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3(
      cat,
      '2 MB field name in an item (insert)',
      'insert',
      () => signed({ collectionId: C, items: [{ _id: 'big-name', [big()]: 1 }] }),
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3(
      cat,
      '2 MB value in an item (update)',
      'update',
      () => signed({ collectionId: C, items: [{ _id: ctx.itemIds[0], title: big() }] }),
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3(cat, '2 MB collectionId (query)', 'query', () => signed({ collectionId: big() }));
    v3(cat, '2 MB collectionId (insert)', 'insert', () =>
      signed({ collectionId: big(), items: [{ title: 'x' }] }),
    );
    v3(cat, '2 MB collection id (create)', 'collectionsCreate', () =>
      signed({ collection: { id: big(), fields: [] } }),
    );
    v3(cat, '2 MB field key (create)', 'collectionsCreate', () =>
      signed({ collection: { id: fresh('bigkey'), fields: [{ key: big(), type: 'TEXT' }] } }),
    );
    v3(
      cat,
      '2 MB displayName (create: clipped to 1,000 chars)',
      'collectionsCreate',
      () => signed({ collection: { id: fresh('bigdisplay'), displayName: big(), fields: [] } }),
      'tolerate',
    );
    v3(
      cat,
      '2 MB field description (create: clipped)',
      'collectionsCreate',
      () =>
        signed({
          collection: { id: fresh('bigdesc'), fields: [{ key: 'a', type: 'TEXT', description: big() }] },
        }),
      'tolerate',
    );
    v3(
      cat,
      '1,000 fields of 1 KB descriptions (create: a 1 MB record)',
      'collectionsCreate',
      () =>
        signed({
          collection: {
            id: fresh('manyfields'),
            fields: Array.from({ length: 1000 }, (_, i) => ({
              key: `f${i}`,
              type: 'TEXT',
              description: 'd'.repeat(KB),
            })),
          },
        }),
      'reject',
      {},
    );
    v3(
      cat,
      '2 MB displayName (update: clipped)',
      'collectionsUpdate',
      () =>
        signed({
          collection: { id: ctx.scratch, displayName: big(), fields: [{ key: 'title', type: 'TEXT' }] },
        }),
      'tolerate',
    );
    v3(
      cat,
      '2 MB filter value',
      'query',
      () => signed({ collectionId: C, query: { filter: { title: big() } } }),
      'tolerate',
    );
    v3(
      cat,
      '2 MB $ne value',
      'count',
      () => signed({ collectionId: C, filter: { title: { $ne: big() } } }),
      'tolerate',
    );
    v3(cat, '2 MB filter field name', 'query', () =>
      signed({ collectionId: C, query: { filter: { [big()]: 1 } } }),
    );
    v3(
      cat,
      '2 MB filter value on _id',
      'count',
      () => signed({ collectionId: C, filter: { _id: big() } }),
      'tolerate',
    );
    v3(cat, '2 MB sort fieldName', 'query', () =>
      signed({ collectionId: C, query: { sort: [{ fieldName: big(), order: 'ASC' }] } }),
    );
    v3(cat, '2 MB projection field', 'query', () => signed({ collectionId: C, query: { fields: [big()] } }));
    v3(cat, '2 MB distinct fieldName', 'distinct', () => signed({ collectionId: C, fieldName: big() }));
    v3(
      cat,
      '2 MB aggregation resultFieldName (echoed back)',
      'aggregate',
      () =>
        signed({ collectionId: C, aggregation: { operations: [{ resultFieldName: big(), itemCount: {} }] } }),
      'tolerate',
    );
    v3(cat, '2 MB aggregation groupingField', 'aggregate', () =>
      signed({ collectionId: C, aggregation: { groupingFields: [big()] } }),
    );
    v3(cat, '2 MB cursor', 'query', () =>
      signed({ collectionId: C, query: { cursorPaging: { cursor: big() } } }),
    );
    v3(cat, '2 MB referringFieldKey', 'queryReferenced', () =>
      signed({ collectionId: C, referringFieldKey: big() }),
    );
    v3(
      cat,
      '2 MB collectionIds entry (collections/get)',
      'collectionsGet',
      () => signed({ collectionIds: [big()] }),
      'tolerate',
      {},
    );
    v3(
      cat,
      '2 MB identity id (ignored)',
      'query',
      () =>
        sig(JSON.stringify(baseQuery), {
          metadataText: JSON.stringify({
            instanceId: ctx.tenant,
            identity: { identityType: 'MEMBER', memberId: big() },
          }),
        }),
      'tolerate',
    );
    legacy(
      cat,
      '2 MB secretKey',
      '/data/find',
      () =>
        JSON.stringify({
          requestContext: { settings: { secretKey: big() }, instanceId: ctx.tenant },
          collectionName: C,
        }),
      'reject',
      { status: 401 },
    );
    legacy(cat, '2 MB collectionName', '/data/find', () => legacyAuthed(`"collectionName":"${big()}"`));
    legacy(
      cat,
      '2 MB value (legacy insert)',
      '/data/insert',
      () => legacyAuthed(`"collectionName":"${C}","item":{"_id":"legacy-big","title":"${big()}"}`),
      'reject',
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 6. Items over 400 KB (per-item VALIDATION_ERROR in a 200, or a 4xx)
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'item-400kb';
    v3req(
      cat,
      '500 KB string value',
      'insert',
      { collectionId: C, items: [{ _id: 'over-1', title: 'x'.repeat(500 * KB) }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '403 KB item (just over, below the pre-check margin)',
      'insert',
      { collectionId: C, items: [{ _id: 'over-2', title: 'x'.repeat(403 * KB) }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '401 KB item spread over 100 fields',
      'insert',
      {
        collectionId: C,
        items: [
          {
            _id: 'over-3',
            ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'y'.repeat(4106)])),
          },
        ],
      },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '450 KB inside a nested array',
      'insert',
      {
        collectionId: C,
        items: [{ _id: 'over-4', tags: Array.from({ length: 450 }, () => 'z'.repeat(KB)) }],
      },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '450 KB in a field name',
      'insert',
      { collectionId: C, items: [{ _id: 'over-5', ['k'.repeat(450 * KB)]: true }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      'one good item, one 500 KB item, one good item',
      'insert',
      {
        collectionId: C,
        items: [
          { _id: 'mixed-ok-1', title: 'ok' },
          { _id: 'mixed-big', title: 'x'.repeat(500 * KB) },
          { _id: 'mixed-ok-2', title: 'ok' },
        ],
      },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR', errorSlots: [1] },
    );
    v3req(
      cat,
      '10 items of 500 KB each (5 MB request)',
      'insert',
      {
        collectionId: C,
        items: Array.from({ length: 10 }, (_, i) => ({ _id: `ten-big-${i}`, title: 'x'.repeat(500 * KB) })),
      },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '500 KB update of an existing item',
      'update',
      { collectionId: C, items: [{ _id: ctx.itemIds[1], title: 'x'.repeat(500 * KB) }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '403 KB update of an existing item',
      'update',
      { collectionId: C, items: [{ _id: ctx.itemIds[1], title: 'x'.repeat(403 * KB) }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      '500 KB update of a missing item',
      'update',
      { collectionId: C, items: [{ _id: 'missing-big', title: 'x'.repeat(500 * KB) }] },
      'perItemErrors',
    );
    legacy(
      cat,
      '500 KB item (legacy /data/insert/bulk)',
      '/data/insert/bulk',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","items":[{"_id":"legacy-over","title":"${'x'.repeat(500 * KB)}"}]`,
        ),
      'tolerate',
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 7. 5,000-item batches (400)
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'batch-5000';
    const n = 5000;
    v3req(
      cat,
      'insert 5,000 items',
      'insert',
      { collectionId: C, items: Array.from({ length: n }, (_, i) => ({ _id: `b${i}`, n: i })) },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'insert 1,001 items',
      'insert',
      { collectionId: C, items: Array.from({ length: 1001 }, (_, i) => ({ n: i })) },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'update 5,000 items',
      'update',
      { collectionId: C, items: Array.from({ length: n }, (_, i) => ({ _id: `b${i}`, n: i })) },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'remove 5,000 ids',
      'remove',
      { collectionId: C, itemIds: Array.from({ length: n }, (_, i) => `b${i}`) },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'insert 5,000 references',
      'insertReferences',
      {
        collectionId: C,
        referringFieldKey: 'refs',
        references: Array.from({ length: n }, (_, i) => ({
          referringItemId: `a${i}`,
          referencedItemId: `b${i}`,
        })),
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'remove 5,000 references',
      'removeReferences',
      {
        collectionId: C,
        referringFieldKey: 'refs',
        references: Array.from({ length: n }, (_, i) => ({
          referringItemId: `a${i}`,
          referencedItemId: `b${i}`,
        })),
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'query-referenced with 5,000 referring ids',
      'queryReferenced',
      {
        collectionId: C,
        referringFieldKey: 'refs',
        referringItemIds: Array.from({ length: n }, (_, i) => `a${i}`),
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'query-referenced with 5,000 referenced ids',
      'queryReferenced',
      {
        collectionId: C,
        referringFieldKey: 'refs',
        referencedItemIds: Array.from({ length: n }, (_, i) => `a${i}`),
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'collections/get with 5,000 ids',
      'collectionsGet',
      { collectionIds: Array.from({ length: n }, (_, i) => `c${i}`) },
      'tolerate',
    );
    v3req(
      cat,
      'create with 5,000 fields',
      'collectionsCreate',
      {
        collection: {
          id: fresh('fivek'),
          fields: Array.from({ length: n }, (_, i) => ({ key: `f${i}`, type: 'TEXT' })),
        },
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'aggregate with 5,000 operations',
      'aggregate',
      {
        collectionId: C,
        aggregation: {
          operations: Array.from({ length: n }, (_, i) => ({ resultFieldName: `r${i}`, itemCount: {} })),
        },
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'query with 5,000 sort keys',
      'query',
      { collectionId: C, query: { sort: Array.from({ length: n }, (_, i) => ({ fieldName: `f${i}` })) } },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'query with 5,000 projected fields',
      'query',
      { collectionId: C, query: { fields: Array.from({ length: n }, (_, i) => `f${i}`) } },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'query with 5,000 includes',
      'query',
      { collectionId: C, includeReferencedItems: Array.from({ length: n }, () => ({ fieldKey: 'refs' })) },
      'reject',
      { status: 400 },
    );
    legacy(
      cat,
      'legacy insert/bulk 5,000 items',
      '/data/insert/bulk',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","items":${JSON.stringify(Array.from({ length: n }, (_, i) => ({ _id: `lb${i}` })))}`,
        ),
      'reject',
      { status: 400 },
    );
    legacy(
      cat,
      'legacy update/bulk 5,000 items',
      '/data/update/bulk',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","items":${JSON.stringify(Array.from({ length: n }, (_, i) => ({ _id: `lb${i}` })))}`,
        ),
      'reject',
      { status: 400 },
    );
    legacy(
      cat,
      'legacy remove/bulk 5,000 ids',
      '/data/remove/bulk',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","itemIds":${JSON.stringify(Array.from({ length: n }, (_, i) => `lb${i}`))}`,
        ),
      'reject',
      { status: 400 },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 8. Ids of 2,000 characters (and other id abuse)
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'long-ids';
    const id2k = 'i'.repeat(2000);
    const wide = 'é'.repeat(600); // 1,200 UTF-8 bytes
    v3req(cat, 'insert _id of 2,000 chars', 'insert', { collectionId: C, items: [{ _id: id2k }] }, 'perItem');
    v3req(
      cat,
      'insert _id of 600 two-byte chars (1,200 bytes)',
      'insert',
      { collectionId: C, items: [{ _id: wide }] },
      'perItem',
    );
    v3req(
      cat,
      'insert _id of 1,025 bytes',
      'insert',
      { collectionId: C, items: [{ _id: 'j'.repeat(1025) }] },
      'perItem',
    );
    v3req(
      cat,
      'update _id of 2,000 chars',
      'update',
      { collectionId: C, items: [{ _id: id2k, title: 'x' }] },
      'perItem',
    );
    v3req(cat, 'remove id of 2,000 chars', 'remove', { collectionId: C, itemIds: [id2k] }, 'perItem');
    v3req(
      cat,
      'query filter _id of 2,000 chars',
      'query',
      { collectionId: C, query: { filter: { _id: id2k } } },
      'tolerate',
    );
    v3req(
      cat,
      'query filter _id $in 2,000-char ids',
      'query',
      { collectionId: C, query: { filter: { _id: { $in: [id2k, wide] } } } },
      'tolerate',
    );
    v3req(
      cat,
      'query filter _id $gt 2,000 chars',
      'count',
      { collectionId: C, filter: { _id: { $gt: id2k } } },
      'tolerate',
    );
    v3req(
      cat,
      'query filter _id $startsWith 2,000 chars',
      'count',
      { collectionId: C, filter: { _id: { $startsWith: id2k } } },
      'tolerate',
    );
    v3req(
      cat,
      'insert-references with 2,000-char ids',
      'insertReferences',
      {
        collectionId: C,
        referringFieldKey: 'refs',
        references: [{ referringItemId: id2k, referencedItemId: id2k }],
      },
      'perItem',
    );
    v3req(
      cat,
      'remove-references with 2,000-char ids',
      'removeReferences',
      {
        collectionId: C,
        referringFieldKey: 'refs',
        references: [{ referringItemId: id2k, referencedItemId: 'x' }],
      },
      'perItem',
    );
    v3req(cat, 'query-referenced with a 2,000-char id', 'queryReferenced', {
      collectionId: C,
      referringFieldKey: 'refs',
      referringItemIds: [id2k],
    });
    v3req(
      cat,
      'collections/get with a 2,000-char id',
      'collectionsGet',
      { collectionIds: [id2k] },
      'tolerate',
      {},
    );
    v3req(
      cat,
      'collections/get with a 1,025-byte id',
      'collectionsGet',
      { collectionIds: ['k'.repeat(1023)] },
      'tolerate',
      {},
    );
    legacy(
      cat,
      'legacy /schemas/find with a 2,000-char id',
      '/schemas/find',
      () => legacyAuthed(`"schemaIds":["${id2k}"]`),
      'tolerate',
    );
    v3req(
      cat,
      'insert _id with NUL bytes',
      'insert',
      { collectionId: C, items: [{ _id: 'nul\u0000id' }] },
      'perItem',
    );
    v3req(
      cat,
      'insert _id "#" and "/"',
      'insert',
      { collectionId: C, items: [{ _id: 'a#b/../c' }] },
      'perItem',
    );
    // A lone-surrogate _id in a collection with a multi-reference field, then every operation that
    // touches references or ids of that collection.
    const P = ctx.poison;
    const lone = 'lone-\ud800-id';
    v3req(
      cat,
      'insert _id with a lone surrogate',
      'insert',
      {
        collectionId: P,
        items: [
          { _id: lone, title: 'x' },
          { _id: 'plain', title: 'y' },
        ],
      },
      'perItem',
    );
    v3req(
      cat,
      'insert-references from the lone-surrogate id',
      'insertReferences',
      {
        collectionId: P,
        referringFieldKey: 'refs',
        references: [{ referringItemId: lone, referencedItemId: 't1' }],
      },
      'perItem',
      {},
    );
    v3req(
      cat,
      'query with includeReferencedItems after a lone-surrogate id was stored',
      'query',
      { collectionId: P, includeReferencedItems: [{ fieldKey: 'refs' }] },
      'tolerate',
      {},
    );
    v3req(
      cat,
      'query-referenced from the lone-surrogate id',
      'queryReferenced',
      { collectionId: P, referringFieldKey: 'refs', referringItemIds: [lone], includeReferencedItems: true },
      'tolerate',
      {},
    );
    v3req(
      cat,
      'query-referenced of the whole field',
      'queryReferenced',
      { collectionId: P, referringFieldKey: 'refs', includeReferencedItems: true },
      'tolerate',
    );
    v3req(
      cat,
      'update the lone-surrogate item',
      'update',
      { collectionId: P, items: [{ _id: lone, title: 'z' }] },
      'perItem',
    );
    v3req(
      cat,
      'remove-references from the lone-surrogate id',
      'removeReferences',
      {
        collectionId: P,
        referringFieldKey: 'refs',
        references: [{ referringItemId: lone, referencedItemId: 't1' }],
      },
      'perItem',
      {},
    );
    v3req(cat, 'remove the lone-surrogate item', 'remove', { collectionId: P, itemIds: [lone] }, 'perItem');
    legacy(cat, 'legacy /data/get itemId of 2,000 chars', '/data/get', () =>
      legacyAuthed(`"collectionName":"${C}","itemId":"${id2k}"`),
    );
    legacy(cat, 'legacy /data/remove itemId of 2,000 chars', '/data/remove', () =>
      legacyAuthed(`"collectionName":"${C}","itemId":"${id2k}"`),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 9. Collection ids with "/", "#", "..", unicode, empty, 300 chars
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'collection-ids';
    const hostileIds: [string, string][] = [
      ['slash', 'a/b'],
      ['hash', 'a#b'],
      ['hash prefix (key separator)', '#I#x'],
      ['dot dot', '..'],
      ['path traversal', '../../etc/passwd'],
      ['leading dot', '.hidden'],
      ['unicode', 'colección-漢字'],
      ['emoji', '🦄🦄'],
      ['empty', ''],
      ['space only', ' '],
      ['300 chars', 'c'.repeat(300)],
      ['NUL', 'a\u0000b'],
      ['lone surrogate', 'x\ud800'],
      ['percent-encoded', 'a%2Fb'],
      ['newline', 'a\nb'],
    ];
    for (const [name, id] of hostileIds) {
      v3req(
        cat,
        `create id ${name}`,
        'collectionsCreate',
        { collection: { id, fields: [{ key: 'title', type: 'TEXT' }] } },
        'reject',
        { status: 400 },
      );
      v3req(cat, `query id ${name}`, 'query', { collectionId: id });
      v3req(cat, `insert into id ${name}`, 'insert', { collectionId: id, items: [{ title: 'x' }] });
    }
    v3req(
      cat,
      'count id with a prefix of an existing id',
      'count',
      { collectionId: C.slice(0, -1) },
      'reject',
      { status: 404 },
    );
    v3req(cat, 'delete id with slash', 'collectionsDelete', { collectionId: 'a/b' });
    v3req(cat, 'truncate id dot dot', 'truncate', { collectionId: '..' });
    v3req(cat, 'update a collection with id 300 chars', 'collectionsUpdate', {
      collection: { id: 'u'.repeat(300), fields: [] },
    });
    v3req(
      cat,
      'collections/get with hostile ids',
      'collectionsGet',
      { collectionIds: hostileIds.map(([, id]) => id) },
      'tolerate',
    );
    legacy(cat, 'legacy /schemas/create id with slash', '/schemas/create', () =>
      legacyAuthed('"collectionName":"a/b","columns":[]'),
    );
    legacy(cat, 'legacy /data/find collectionName ..', '/data/find', () =>
      legacyAuthed('"collectionName":".."'),
    );
    legacy(cat, 'legacy /data/find collectionName with lone surrogate', '/data/find', () =>
      legacyAuthed('"collectionName":"x\\ud800"'),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 10. Prototype-pollution keys in requests, items, filters, sort and field names
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'prototype-pollution';
    const P = '{"polluted":"yes","isAdmin":true}';
    v3text(
      cat,
      '__proto__ at the top of the request',
      'query',
      `{"__proto__":${P},"collectionId":"${C}"}`,
      'tolerate',
    );
    v3text(
      cat,
      'constructor.prototype at the top of the request',
      'count',
      `{"constructor":{"prototype":${P}},"collectionId":"${C}"}`,
      'tolerate',
    );
    v3text(
      cat,
      '__proto__ carrying collectionId',
      'query',
      `{"__proto__":{"collectionId":"${C}"}}`,
      'reject',
      { status: 400 },
    );
    v3text(
      cat,
      '__proto__ as the query',
      'query',
      `{"collectionId":"${C}","query":{"__proto__":{"filter":{"title":"x"}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      '__proto__ in paging',
      'query',
      `{"collectionId":"${C}","query":{"paging":{"__proto__":{"limit":100000}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'item with __proto__ (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"pp-1","__proto__":${P}}]}`,
      'perItem',
    );
    v3text(
      cat,
      'item with constructor.prototype (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"pp-2","constructor":{"prototype":${P}}}]}`,
      'perItem',
    );
    v3text(
      cat,
      'item with prototype key (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"pp-3","prototype":${P},"hasOwnProperty":1,"toString":"x","valueOf":null}]}`,
      'perItem',
    );
    v3text(
      cat,
      'item whose _id is __proto__ (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"__proto__","title":"p"}]}`,
      'perItem',
    );
    v3text(
      cat,
      'item with nested __proto__ (update)',
      'update',
      `{"collectionId":"${C}","items":[{"_id":"pp-1","a":{"__proto__":${P},"b":[{"__proto__":${P}}]}}]}`,
      'perItem',
    );
    v3text(
      cat,
      'items array holding __proto__',
      'insert',
      `{"collectionId":"${C}","items":{"__proto__":[],"length":1,"0":{"_id":"pp-arr"}}}`,
    );
    v3text(
      cat,
      'filter {__proto__: ...}',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"__proto__":${P}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'filter {constructor: {prototype: ...}}',
      'count',
      `{"collectionId":"${C}","filter":{"constructor":{"prototype":${P}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'filter on path constructor.prototype.polluted',
      'count',
      `{"collectionId":"${C}","filter":{"constructor.prototype.polluted":"yes"}}`,
      'tolerate',
    );
    v3text(
      cat,
      'filter on path __proto__.polluted',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"__proto__.polluted":{"$exists":true}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'filter operator object with __proto__',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"__proto__":{"$eq":"x"}}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'filter operator object {$eq, __proto__}',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"$eq":"x","__proto__":${P}}}}`,
    );
    v3text(
      cat,
      'filter $and of __proto__',
      'query',
      `{"collectionId":"${C}","query":{"filter":{"$and":[{"__proto__":${P}},{"constructor":"x"}]}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'filter $in holding __proto__ objects',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"$in":[{"__proto__":${P}}]}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'sort by __proto__',
      'query',
      `{"collectionId":"${C}","query":{"sort":[{"fieldName":"__proto__","order":"ASC"}]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'sort by constructor.prototype',
      'query',
      `{"collectionId":"${C}","query":{"sort":[{"fieldName":"constructor.prototype","order":"DESC"}]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'sort entry with __proto__',
      'query',
      `{"collectionId":"${C}","query":{"sort":[{"__proto__":{"fieldName":"title"}}]}}`,
    );
    v3text(
      cat,
      'projection of __proto__ and constructor',
      'query',
      `{"collectionId":"${C}","query":{"fields":["__proto__","constructor","prototype"]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'distinct on __proto__',
      'distinct',
      `{"collectionId":"${C}","fieldName":"__proto__"}`,
      'tolerate',
    );
    v3text(
      cat,
      'distinct on constructor',
      'distinct',
      `{"collectionId":"${C}","fieldName":"constructor"}`,
      'tolerate',
    );
    v3text(
      cat,
      'aggregate grouping by __proto__',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"groupingFields":["__proto__","constructor"],"operations":[{"resultFieldName":"c","itemCount":{}}]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'aggregate resultFieldName __proto__',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"groupingFields":["title"],"operations":[{"resultFieldName":"__proto__","sum":{"itemFieldName":"n"}}]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'aggregate resultFieldName constructor + finalFilter on it',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"operations":[{"resultFieldName":"constructor","itemCount":{}}]},"finalFilter":{"constructor":{"$gt":0}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'aggregate operation kind __proto__',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"operations":[{"resultFieldName":"r","__proto__":{"itemFieldName":"n"}}]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'aggregate operation kind constructor',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"operations":[{"resultFieldName":"r","constructor":{"itemFieldName":"n"}}]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'aggregate operation kind toString',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"groupingFields":["title"],"operations":[{"resultFieldName":"r","toString":{"itemFieldName":"title"}}]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'aggregate itemFieldName __proto__',
      'aggregate',
      `{"collectionId":"${C}","aggregation":{"operations":[{"resultFieldName":"r","max":{"itemFieldName":"__proto__"}}]}}`,
      'tolerate',
    );
    // Objects whose toString is not callable: String(x) throws on them.
    const NOSTR = '{"toString":null}';
    v3text(
      cat,
      'collection id {toString: null} (create)',
      'collectionsCreate',
      `{"collection":{"id":${NOSTR},"fields":[]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'field key {toString: null} (create)',
      'collectionsCreate',
      `{"collection":{"id":"${fresh('nostr')}","fields":[{"key":${NOSTR},"type":"TEXT"}]}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'permissions role {toString: null} (create)',
      'collectionsCreate',
      `{"collection":{"id":"${fresh('nostr')}","fields":[],"permissions":{"read":${NOSTR}}}}`,
      'reject',
      {},
    );
    v3text(
      cat,
      'collection id {toString: null} (update)',
      'collectionsUpdate',
      `{"collection":{"id":${NOSTR},"fields":[]}}`,
      'reject',
      {},
    );
    v3text(cat, 'collectionId {toString: null} (query)', 'query', `{"collectionId":${NOSTR}}`, 'reject');
    v3text(
      cat,
      'item _id {toString: null} (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":${NOSTR}}]}`,
      'reject',
    );
    v3text(
      cat,
      'referringFieldKey {toString: null}',
      'queryReferenced',
      `{"collectionId":"${C}","referringFieldKey":${NOSTR}}`,
      'reject',
    );
    v3text(
      cat,
      'sort order {toString: null}',
      'query',
      `{"collectionId":"${C}","query":{"sort":[{"fieldName":"title","order":${NOSTR}}]}}`,
      'reject',
    );
    v3text(
      cat,
      'filter operand {toString: null}',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"$startsWith":${NOSTR}}}}`,
      'reject',
    );
    legacy(
      cat,
      'legacy v1 filter operator {toString: null}',
      '/data/find',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","filter":{"operator":${NOSTR},"fieldName":"title","value":"x"}`,
        ),
      'reject',
      {},
    );
    legacy(
      cat,
      'legacy sort direction {toString: null}',
      '/data/find',
      () => legacyAuthed(`"collectionName":"${C}","sort":[{"fieldName":"title","direction":${NOSTR}}]`),
      'reject',
    );
    v3text(
      cat,
      'filter operator named constructor',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"$constructor":1}}}`,
    );
    v3text(
      cat,
      'filter operator named __proto__ with $',
      'count',
      `{"collectionId":"${C}","filter":{"title":{"$__proto__":1}}}`,
    );
    v3text(
      cat,
      'create collection with fields __proto__/constructor/prototype',
      'collectionsCreate',
      `{"collection":{"id":"${fresh('pp-coll')}","fields":[{"key":"__proto__","type":"TEXT"},{"key":"constructor","type":"NUMBER"},{"key":"prototype","type":"OBJECT"}]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'create collection whose field has __proto__ options',
      'collectionsCreate',
      `{"collection":{"id":"${fresh('pp-opts')}","fields":[{"key":"a","type":"TEXT","__proto__":${P}}],"__proto__":${P}}}`,
      'tolerate',
    );
    v3text(
      cat,
      'create collection with id __proto__',
      'collectionsCreate',
      `{"collection":{"id":"__proto__","fields":[]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'create collection with id constructor',
      'collectionsCreate',
      `{"collection":{"id":"constructor","fields":[]}}`,
      'tolerate',
    );
    v3text(cat, 'query collection named __proto__', 'query', `{"collectionId":"__proto__"}`, 'tolerate');
    v3text(
      cat,
      'query collection named hasOwnProperty',
      'query',
      `{"collectionId":"hasOwnProperty"}`,
      'reject',
      { status: 404 },
    );
    v3text(
      cat,
      'referringFieldKey __proto__',
      'queryReferenced',
      `{"collectionId":"${C}","referringFieldKey":"__proto__"}`,
    );
    v3text(
      cat,
      'referringFieldKey constructor',
      'insertReferences',
      `{"collectionId":"${C}","referringFieldKey":"constructor","references":[{"referringItemId":"a","referencedItemId":"b"}]}`,
    );
    v3text(
      cat,
      'include fieldKey __proto__ (unknown fields are skipped)',
      'query',
      `{"collectionId":"${C}","includeReferencedItems":[{"fieldKey":"__proto__"}]}`,
      'tolerate',
    );
    v3text(
      cat,
      'reference pair with __proto__',
      'insertReferences',
      `{"collectionId":"${C}","referringFieldKey":"refs","references":[{"__proto__":{"referringItemId":"a","referencedItemId":"b"}}]}`,
    );
    v3(
      cat,
      'metadata __proto__ carrying instanceId (runs as the default tenant, read only)',
      'query',
      () => sig(JSON.stringify(baseQuery), { metadataText: `{"__proto__":{"instanceId":"someone-else"}}` }),
      'tolerate',
    );
    v3(
      cat,
      'data __proto__ carrying request',
      'query',
      () =>
        jws(
          { alg: 'RS256' },
          payloadText(undefined, {
            dataText: `{"__proto__":{"request":${JSON.stringify(baseQuery)}},"metadata":{"instanceId":"${ctx.tenant}"}}`,
          }),
          key,
        ),
      'reject',
      { status: 400 },
    );
    v3(
      cat,
      'JWT header with __proto__ alg',
      'query',
      () =>
        jws(
          `{"__proto__":{"alg":"RS256"},"typ":"JWT"}`,
          payloadText(JSON.stringify(baseQuery), { tenant: ctx.tenant }),
          key,
        ),
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'JWT claims __proto__ carrying iss/exp',
      'query',
      () =>
        jws(
          { alg: 'RS256' },
          `{"data":{"request":${JSON.stringify(baseQuery)}},"__proto__":{"iss":"wix.com","exp":${nowSeconds() + 300}}}`,
          key,
        ),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'legacy requestContext inside __proto__',
      '/data/find',
      () => `{"__proto__":{"requestContext":${requestContextText()}},"collectionName":"${C}"}`,
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'legacy settings inside requestContext.__proto__',
      '/data/find',
      () =>
        `{"requestContext":{"__proto__":{"settings":{"secretKey":${JSON.stringify(ctx.secret)}}},"instanceId":"${ctx.tenant}"},"collectionName":"${C}"}`,
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'legacy secretKey inside settings.__proto__',
      '/data/find',
      () =>
        `{"requestContext":{"settings":{"__proto__":{"secretKey":${JSON.stringify(ctx.secret)}}},"instanceId":"${ctx.tenant}"},"collectionName":"${C}"}`,
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'legacy item with __proto__',
      '/data/insert',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","item":{"_id":"lpp-1","__proto__":${P},"constructor":{"prototype":${P}}}`,
        ),
      'tolerate',
    );
    legacy(
      cat,
      'legacy filter with __proto__ (v2 dialect)',
      '/data/find',
      () => legacyAuthed(`"collectionName":"${C}","filter":{"__proto__":${P}}`),
      'tolerate',
    );
    legacy(
      cat,
      'legacy filter with __proto__ (v1 dialect)',
      '/data/find',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","filter":{"operator":"$eq","fieldName":"__proto__","value":${P}}`,
        ),
      'tolerate',
    );
    legacy(
      cat,
      'legacy sort by __proto__',
      '/data/find',
      () => legacyAuthed(`"collectionName":"${C}","sort":[{"fieldName":"__proto__","direction":"asc"}]`),
      'tolerate',
    );
    legacy(
      cat,
      'legacy __proto__ at the top of the body',
      '/data/count',
      () => legacyAuthed(`"__proto__":${P},"collectionName":"${C}"`),
      'tolerate',
    );
    legacy(
      cat,
      'legacy column named __proto__',
      '/schemas/column/add',
      () => legacyAuthed(`"collectionName":"${ctx.scratch}","column":{"name":"__proto__","type":"text"}`),
      'tolerate',
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 11. Invalid UTF-8 bytes, lone surrogates, other encodings (raw Buffers)
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'bad-bytes';
    const bytes = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
    v3(cat, 'only invalid bytes', 'query', () => bytes([0xff, 0xfe, 0xfd, 0xc0, 0x80]), 'reject', {
      status: 401,
    });
    v3(cat, 'valid JWT + trailing 0xFF', 'query', () => bytes(validQueryToken(), [0xff]), 'reject', {
      status: 401,
    });
    v3(
      cat,
      'valid JWT with an overlong NUL inside',
      'query',
      () => {
        const t = validQueryToken();
        return bytes(t.slice(0, 30), [0xc0, 0x80], t.slice(30));
      },
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'valid JWT with a truncated 3-byte sequence inside',
      'query',
      () => {
        const t = validQueryToken();
        return bytes(t.slice(0, 50), [0xe2, 0x82], t.slice(50));
      },
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'valid JWT encoded as UTF-16LE',
      'query',
      () => Buffer.from(validQueryToken(), 'utf16le'),
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'valid JWT encoded as UTF-16BE with BOM',
      'query',
      () => {
        const le = Buffer.from(`\ufeff${validQueryToken()}`, 'utf16le');
        for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
        return le;
      },
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'valid JWT behind a UTF-8 BOM',
      'query',
      () => bytes([0xef, 0xbb, 0xbf], validQueryToken()),
      'tolerate',
    );
    v3(cat, 'NUL bytes around a valid JWT', 'query', () => bytes([0], validQueryToken(), [0]), 'reject', {
      status: 401,
    });
    const signedBytes = (requestBytes: Buffer) => {
      const text = payloadText('__REQ__', { tenant: ctx.tenant });
      const [before, after] = text.split('__REQ__') as [string, string];
      return jws(
        { alg: 'RS256' },
        Buffer.concat([Buffer.from(before), requestBytes, Buffer.from(after)]),
        key,
      );
    };
    v3(cat, 'signed payload with invalid UTF-8 in collectionId', 'query', () =>
      signedBytes(bytes('{"collectionId":"', [0xff, 0xfe], '"}')),
    );
    v3(
      cat,
      'signed payload with invalid UTF-8 in an item value',
      'insert',
      () =>
        signedBytes(
          bytes(
            `{"collectionId":"${C}","items":[{"_id":"bad-utf8","title":"`,
            [0xc3, 0x28, 0xa0, 0xa1],
            '"}]}',
          ),
        ),
      'perItem',
    );
    v3(
      cat,
      'signed payload with invalid UTF-8 in a field name',
      'insert',
      () =>
        signedBytes(
          bytes(
            `{"collectionId":"${C}","items":[{"_id":"bad-utf8-key","`,
            [0xf0, 0x28, 0x8c, 0xbc],
            '":1}]}',
          ),
        ),
      'perItem',
    );
    v3(
      cat,
      'signed payload with invalid UTF-8 in a filter',
      'count',
      () => signedBytes(bytes(`{"collectionId":"${C}","filter":{"title":"`, [0xed, 0xa0, 0x80], '"}}')),
      'tolerate',
    );
    v3(cat, 'signed payload that is not UTF-8 JSON at all', 'query', () =>
      signedBytes(Buffer.from([0x80, 0x81, 0x82])),
    );
    v3(
      cat,
      'signed payload: invalid bytes in the claims',
      'query',
      () =>
        jws(
          { alg: 'RS256' },
          bytes('{"iss":"wix.com', [0xff], `","exp":${nowSeconds() + 300},"data":{"request":{}}}`),
          key,
        ),
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'header with invalid UTF-8',
      'query',
      () => {
        const t = validQueryToken().split('.');
        return `${bytes('{"alg":"RS256","x":"', [0xff], '"}').toString('base64url')}.${t[1]}.${t[2]}`;
      },
      'reject',
      { status: 401 },
    );
    v3(
      cat,
      'lone surrogate in instanceId (query)',
      'query',
      () => sig(JSON.stringify(baseQuery), { metadataText: '{"instanceId":"tenant-\\ud800"}' }),
      'reject',
      {},
    );
    v3(
      cat,
      'lone low surrogate in instanceId (insert)',
      'insert',
      () =>
        sig(JSON.stringify({ collectionId: C, items: [{ title: 'x' }] }), {
          metadataText: '{"instanceId":"\\udfff"}',
        }),
      'reject',
      {},
    );
    v3(
      cat,
      'lone surrogate in instanceId (collections/create)',
      'collectionsCreate',
      () =>
        sig(JSON.stringify({ collection: { id: 'surrogate-tenant', fields: [] } }), {
          metadataText: '{"instanceId":"t\\ud83d"}',
        }),
      'reject',
      {},
    );
    v3(
      cat,
      'lone surrogate in instanceId (collections/get)',
      'collectionsGet',
      () => sig('{}', { metadataText: '{"instanceId":"\\ud800\\ud800"}' }),
      'reject',
      {},
    );
    v3text(
      cat,
      'lone surrogate in a field name (insert)',
      'insert',
      `{"collectionId":"${C}","items":[{"_id":"lone-key","\\ud800":1}]}`,
      'perItem',
    );
    v3text(
      cat,
      'lone surrogate in a filter value',
      'count',
      `{"collectionId":"${C}","filter":{"title":"\\udc00"}}`,
      'tolerate',
    );
    v3text(
      cat,
      'lone surrogate in a filter field',
      'count',
      `{"collectionId":"${C}","filter":{"\\udc00":"x"}}`,
      'tolerate',
    );
    v3text(
      cat,
      'lone surrogate in a sort field',
      'query',
      `{"collectionId":"${C}","query":{"sort":[{"fieldName":"\\ud800"}]}}`,
      'tolerate',
    );
    v3text(
      cat,
      'lone surrogate in a distinct fieldName',
      'distinct',
      `{"collectionId":"${C}","fieldName":"\\ud800"}`,
      'tolerate',
    );
    v3text(
      cat,
      'lone surrogate in a referenced id',
      'insertReferences',
      `{"collectionId":"${C}","referringFieldKey":"refs","references":[{"referringItemId":"\\ud800","referencedItemId":"x"}]}`,
      'perItem',
    );
    legacy(
      cat,
      'legacy body of invalid bytes',
      '/data/find',
      () => bytes([0xff, 0xfe, 0x7b, 0x7d]),
      'reject',
    );
    legacy(cat, 'legacy JSON with invalid UTF-8 in collectionName', '/data/find', () =>
      bytes(`{"requestContext":${requestContextText()},"collectionName":"`, [0xc3, 0x28], '"}'),
    );
    legacy(
      cat,
      'legacy lone surrogate in instanceId',
      '/data/find',
      () =>
        `{"requestContext":{"settings":{"secretKey":${JSON.stringify(ctx.secret)}},"instanceId":"\\ud800"},"collectionName":"${C}"}`,
      'reject',
      {},
    );
    legacy(
      cat,
      'legacy lone surrogate in instanceId (/schemas/list)',
      '/schemas/list',
      () =>
        `{"requestContext":{"settings":{"secretKey":${JSON.stringify(ctx.secret)}},"instanceId":"x\\udbff"}}`,
      'reject',
      {},
    );
    legacy(cat, 'legacy JSON in UTF-16LE', '/data/find', () =>
      Buffer.from(legacyAuthed(`"collectionName":"${C}"`), 'utf16le'),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 12. Wrong types in every field of every V3 operation
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'wrong-types';
    const refs = [{ referringItemId: ctx.itemIds[0]!, referencedItemId: 't1' }];
    const bases: Record<V3Op, Record<string, Json>> = {
      capabilities: {},
      collectionsGet: { collectionIds: [C] },
      collectionsCreate: { collection: { id: '__FRESH__', fields: [{ key: 'title', type: 'TEXT' }] } },
      collectionsUpdate: { collection: { id: ctx.scratch, fields: [{ key: 'title', type: 'TEXT' }] } },
      collectionsDelete: { collectionId: ctx.scratch },
      query: baseQuery,
      count: { collectionId: C, filter: {}, consistentRead: false },
      aggregate: {
        collectionId: C,
        initialFilter: {},
        aggregation: { groupingFields: ['title'], operations: [{ resultFieldName: 'c', itemCount: {} }] },
        finalFilter: {},
        sort: [{ fieldName: 'c', order: 'DESC' }],
        paging: { limit: 10, offset: 0 },
        consistentRead: false,
        returnTotalCount: false,
      },
      distinct: {
        collectionId: C,
        fieldName: 'title',
        order: 'ASC',
        filter: {},
        paging: { limit: 10, offset: 0 },
        consistentRead: false,
        returnTotalCount: false,
      },
      insert: { collectionId: C, items: [{ title: 'typed' }] },
      update: { collectionId: C, items: [{ _id: ctx.itemIds[0]!, title: 'typed' }] },
      remove: { collectionId: C, itemIds: ['not-there'] },
      truncate: { collectionId: ctx.scratch },
      queryReferenced: {
        collectionId: C,
        referringFieldKey: 'refs',
        referringItemIds: [ctx.itemIds[0]!],
        referencedItemIds: [],
        order: 'ASC',
        fieldsToReturn: [],
        includeReferencedItems: true,
        returnTotalCount: true,
        consistentRead: false,
        paging: { limit: 10, offset: 0 },
      },
      insertReferences: { collectionId: C, referringFieldKey: 'refs', references: refs },
      removeReferences: { collectionId: C, referringFieldKey: 'refs', references: refs },
    };
    const STR: Json[] = [5, true, [], {}];
    const REQ_STR: Json[] = [null, 5, {}, ['x'], ''];
    const BOOL: Json[] = ['yes', 1, {}];
    const OBJ: Json[] = [[], 'x', 7];
    const ARR: Json[] = ['x', 7, {}];
    const FILTER: Json[] = [7, 'x', [], true];
    const SORT: Json[] = [
      'x',
      5,
      {},
      [5],
      [{ fieldName: 5 }],
      [{ fieldName: 'title', order: 'UP' }],
      [{ fieldName: 'title', order: 1 }],
      [{ fieldName: '' }],
    ];
    const PAGING: Json[] = [
      'x',
      [],
      { limit: -1 },
      { limit: 0 },
      { limit: 1.5 },
      { limit: '10' },
      { limit: 1e9 },
      { offset: -1 },
      { offset: '0' },
      { offset: 1e12 },
    ];
    const CURSOR_PAGING: Json[] = [
      { cursor: 5 },
      { cursor: {} },
      { cursor: [] },
      { cursor: true },
      { cursor: 'garbage' },
      { cursor: 'a.b' },
      { limit: -1 },
      'x',
    ];
    const matrix: Partial<Record<V3Op, Record<string, Json[]>>> = {
      collectionsGet: { collectionIds: ['x', 7, {}, [5], [null], [{}]] },
      collectionsCreate: {
        collection: [null, 'x', [], 5],
        'collection.id': [5, null, {}, ''],
        'collection.fields': [
          'x',
          5,
          {},
          [5],
          [null],
          [{ key: 5, type: 'TEXT' }],
          [{ key: 'a', type: 5 }],
          [{ key: 'a', type: 'NOPE' }],
          [{ key: 'a' }],
          [
            { key: 'a', type: 'TEXT' },
            { key: 'a', type: 'TEXT' },
          ],
        ],
        'collection.permissions': ['x', 5, { read: 'EVERYONE' }],
        'collection.fields.0.encrypted': ['yes'],
        'collection.fields.0.multiReferenceOptions': ['x'],
      },
      collectionsUpdate: {
        collection: [null, 'x', [], 5],
        'collection.id': [5, null, {}],
        'collection.fields': ['x', 5, {}, [5], [{ key: 5, type: 'TEXT' }], [{ key: 'title', type: 'NOPE' }]],
      },
      collectionsDelete: { collectionId: REQ_STR },
      query: {
        collectionId: [...REQ_STR, true],
        query: [[], 'x', 5, true],
        'query.filter': FILTER,
        'query.sort': SORT,
        'query.fields': ['x', [5], {}, [''], true],
        'query.paging': PAGING,
        'query.cursorPaging': CURSOR_PAGING,
        returnTotalCount: BOOL,
        consistentRead: BOOL,
        includeReferencedItems: [
          'x',
          {},
          [5],
          [{ fieldKey: 5 }],
          [{ fieldKey: 'refs', limit: -1 }],
          [{ fieldKey: 'refs', filter: 7 }],
        ],
      },
      count: { collectionId: REQ_STR, filter: FILTER, consistentRead: BOOL },
      aggregate: {
        collectionId: REQ_STR,
        initialFilter: FILTER,
        finalFilter: FILTER,
        aggregation: [[], 'x', 5],
        'aggregation.groupingFields': ['x', [5], {}, ['']],
        'aggregation.operations': [
          'x',
          {},
          [5],
          [{ resultFieldName: 5, itemCount: {} }],
          [{ resultFieldName: 'r', sum: 'x' }],
          [{ resultFieldName: 'r', sum: { itemFieldName: 5 } }],
          [{ resultFieldName: 'r' }],
          [{ resultFieldName: 'r', bogus: {} }],
          [{ resultFieldName: 'r', sum: { itemFieldName: 'n' }, max: { itemFieldName: 'n' } }],
        ],
        sort: SORT.slice(0, 5),
        paging: PAGING.slice(0, 5),
        cursorPaging: CURSOR_PAGING.slice(0, 4),
        returnTotalCount: BOOL,
        consistentRead: BOOL,
      },
      distinct: {
        collectionId: REQ_STR,
        fieldName: REQ_STR,
        order: ['UP', 5, {}],
        filter: FILTER,
        paging: PAGING.slice(0, 4),
        cursorPaging: CURSOR_PAGING.slice(0, 4),
        returnTotalCount: BOOL,
      },
      insert: {
        collectionId: REQ_STR,
        items: ['x', 5, {}, [], [5], ['x'], [null], [[1]], [{ _id: 5 }], [{ _id: '' }], [{ _id: {} }], null],
      },
      update: {
        collectionId: REQ_STR,
        items: ['x', [5], [{ title: 'no id' }], [{ _id: 5 }], [{ _id: null }], []],
      },
      remove: { collectionId: REQ_STR, itemIds: ['x', 5, [], [5], [null], [{}], [''], null] },
      truncate: { collectionId: REQ_STR },
      queryReferenced: {
        collectionId: REQ_STR,
        referringFieldKey: REQ_STR,
        referringItemIds: ['x', [5], {}],
        referencedItemIds: ['x', [5]],
        order: ['UP', 5],
        fieldsToReturn: ['x', [5]],
        includeReferencedItems: ['x', 1],
        paging: PAGING.slice(0, 3),
        cursorPaging: CURSOR_PAGING.slice(0, 3),
        returnTotalCount: BOOL,
        consistentRead: BOOL,
      },
      insertReferences: {
        collectionId: REQ_STR,
        referringFieldKey: REQ_STR,
        references: [
          'x',
          [],
          [5],
          [{ referringItemId: 5, referencedItemId: 'b' }],
          [{ referringItemId: 'a' }],
          {},
          null,
        ],
      },
      removeReferences: {
        collectionId: [5, null],
        referringFieldKey: [null, 5],
        references: ['x', [], [5], [{ referencedItemId: [], referringItemId: 'a' }]],
      },
    };
    for (const [op, fields] of Object.entries(matrix) as [V3Op, Record<string, Json[]>][]) {
      for (const [path, values] of Object.entries(fields)) {
        for (const value of values) {
          const name = `${op} ${path}=${short(value)}`;
          v3(cat, name, op, () => {
            let req = withValue(bases[op], path, value);
            if (op === 'collectionsCreate') {
              const coll = req.collection;
              if (coll && typeof coll === 'object' && !Array.isArray(coll) && coll.id === '__FRESH__') {
                req = withValue(req, 'collection.id', `wt-${randomUUID().slice(0, 8)}`);
              }
            }
            return signed(req);
          });
        }
      }
    }
    // A wrong-typed displayName is ignored on purpose (collectionModel keeps strings only): tolerated.
    for (const value of [5, {}, []] as Json[]) {
      v3req(
        cat,
        `collectionsCreate collection.displayName=${short(value)} (ignored)`,
        'collectionsCreate',
        { collection: { id: fresh('dn'), displayName: value, fields: [] } },
        'tolerate',
      );
    }
    // paging and cursorPaging together (a oneof)
    v3req(cat, 'query with paging and cursorPaging', 'query', {
      collectionId: C,
      query: { paging: { limit: 1 }, cursorPaging: { limit: 1 } },
    });
    v3req(cat, 'aggregate with paging and cursorPaging', 'aggregate', {
      collectionId: C,
      paging: { limit: 1 },
      cursorPaging: { limit: 1 },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 13. Methods other than POST, unknown paths
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'methods';
    const paths: [string, Protocol][] = [
      ['/v3/items/query', 'v3'],
      ['/v3/items/insert', 'v3'],
      ['/v3/collections/get', 'v3'],
      ['/v3/provision', 'v3'],
      ['/data/find', 'legacy'],
      ['/provision', 'legacy'],
    ];
    for (const [path, protocol] of paths) {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
        cases.push({
          category: cat,
          name: `${method} ${path}`,
          method,
          path,
          protocol,
          body: () => '',
          expect: 'reject',
          status: 405,
        });
      }
    }
    cases.push({
      category: cat,
      name: 'PUT with a valid signed query (never data)',
      method: 'PUT',
      path: '/v3/items/query',
      protocol: 'v3',
      body: validQueryToken,
      expect: 'reject',
      status: 405,
    });
    cases.push({
      category: cat,
      name: 'DELETE with a valid signed truncate',
      method: 'DELETE',
      path: '/v3/items/truncate',
      protocol: 'v3',
      body: () => signed({ collectionId: C }),
      expect: 'reject',
      status: 405,
    });

    const unknown = [
      '/',
      '/v3',
      '/v3/',
      '/v3/items',
      '/v3/items/query/extra',
      '/v4/items/query',
      '/v3/items/QUERY',
      '/V3/ITEMS/QUERY',
      '/v3/indexes',
      '/v3/indexes/list/extra',
      '/v3/items/query%00',
      '/v3/items/%71uery',
      '/admin',
      '/../../etc/passwd',
      '/v3/items/query;.js',
      '/.env',
      `/${'a/'.repeat(2000)}`,
      '/data',
      '/schemas',
      '/data/find/extra',
      '/data/drop',
    ];
    for (const p of unknown) {
      cases.push({
        category: 'unknown-paths',
        name: `POST ${p.length > 50 ? `${p.slice(0, 47)}...` : p}`,
        method: 'POST',
        path: p,
        protocol: 'v3',
        body: validQueryToken,
        expect: 'reject',
        status: 404,
      });
    }
    cases.push({
      category: 'unknown-paths',
      name: 'GET /favicon.ico',
      method: 'GET',
      path: '/favicon.ico',
      protocol: 'v3',
      body: () => '',
      expect: 'reject',
      status: 404,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 14. Legacy paths with hostile JSON bodies
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'legacy';
    for (const path of LEGACY_PATHS) {
      legacy(cat, `${path}: garbage`, path, () => 'this is { not json', 'reject', { status: 400 });
      legacy(cat, `${path}: no requestContext`, path, () => JSON.stringify({ collectionName: C }), 'reject', {
        status: 401,
      });
      legacy(
        cat,
        `${path}: wrong secret`,
        path,
        () =>
          JSON.stringify({
            requestContext: { settings: { secretKey: 'wrong' }, instanceId: ctx.tenant },
            collectionName: C,
          }),
        'reject',
        { status: 401 },
      );
      legacy(
        cat,
        `${path}: requestContext a string`,
        path,
        () => JSON.stringify({ requestContext: 'x', collectionName: C }),
        'reject',
        { status: 401 },
      );
      legacy(
        cat,
        `${path}: secretKey a number`,
        path,
        () => JSON.stringify({ requestContext: { settings: { secretKey: 5 } }, collectionName: C }),
        'reject',
        { status: 401 },
      );
    }
    legacy(cat, 'body a JSON array', '/data/find', () => `[${requestContextText()}]`, 'reject', {
      status: 400,
    });
    legacy(cat, 'body a JSON string', '/data/find', () => '"requestContext"', 'reject', { status: 400 });
    legacy(cat, 'body null', '/data/find', () => 'null', 'reject', { status: 400 });
    legacy(cat, 'empty body', '/data/find', () => '', 'reject', { status: 401 });
    legacy(cat, 'a V3 JWT sent to a legacy path', '/data/find', validQueryToken, 'reject', { status: 400 });
    legacy(
      cat,
      'settings an array',
      '/data/find',
      () => JSON.stringify({ requestContext: { settings: [ctx.secret] }, collectionName: C }),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'secretKey an array holding the secret',
      '/data/find',
      () => JSON.stringify({ requestContext: { settings: { secretKey: [ctx.secret] } }, collectionName: C }),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'secretKey an object',
      '/data/find',
      () => JSON.stringify({ requestContext: { settings: { secretKey: { $ne: null } } }, collectionName: C }),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'secretKey with a trailing space',
      '/data/find',
      () =>
        JSON.stringify({ requestContext: { settings: { secretKey: `${ctx.secret} ` } }, collectionName: C }),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'secretKey upper-cased',
      '/data/find',
      () =>
        JSON.stringify({
          requestContext: { settings: { secretKey: ctx.secret.toUpperCase() } },
          collectionName: C,
        }),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'secretKey a prefix of the secret',
      '/data/find',
      () =>
        JSON.stringify({
          requestContext: { settings: { secretKey: ctx.secret.slice(0, -1) } },
          collectionName: C,
        }),
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      'duplicate requestContext keys (the last one wrong)',
      '/data/find',
      () =>
        `{"requestContext":${requestContextText()},"requestContext":{"settings":{"secretKey":"wrong"}},"collectionName":"${C}"}`,
      'reject',
      { status: 401 },
    );
    legacy(
      cat,
      // The secret fixes the tenant; the unsigned instanceId is ignored (issue 10, item 2). Without
      // a role the request is refused before any data is touched.
      'requestContext.instanceId a number, no role',
      '/data/find',
      () =>
        JSON.stringify({
          requestContext: { settings: { secretKey: ctx.secret }, instanceId: 5 },
          collectionName: C,
        }),
      'reject',
      { status: 401 },
    );
    legacy(cat, 'collectionName a number', '/data/find', () => legacyAuthed('"collectionName":5'));
    legacy(cat, 'collectionName missing', '/data/count', () => legacyAuthed(''));
    legacy(cat, 'filter a number', '/data/count', () => legacyAuthed(`"collectionName":"${C}","filter":7`));
    legacy(cat, 'filter 1,000 deep (v2 $and)', '/data/find', () =>
      legacyAuthed(`"collectionName":"${C}","filter":${deepFilterText(1000, '$and')}`),
    );
    legacy(cat, 'filter 1,000 deep (v1 $or)', '/data/count', () =>
      legacyAuthed(
        `"collectionName":"${C}","filter":${'{"operator":"$or","value":['.repeat(1000)}{"operator":"$eq","fieldName":"title","value":"x"}${']}'.repeat(1000)}`,
      ),
    );
    legacy(cat, 'filter 10,000 deep (v1 $not)', '/data/find', () =>
      legacyAuthed(
        `"collectionName":"${C}","filter":${'{"operator":"$not","value":'.repeat(10_000)}{"operator":"$eq","fieldName":"title","value":"x"}${'}'.repeat(10_000)}`,
      ),
    );
    legacy(
      cat,
      'sort a 10,000-deep array',
      '/data/find',
      () => legacyAuthed(`"collectionName":"${C}","sort":${deepArrayText(10_000)}`),
      'reject',
      {},
    );
    legacy(
      cat,
      'limit a 10,000-deep object',
      '/data/find',
      () => legacyAuthed(`"collectionName":"${C}","limit":${deepObjectText(10_000)}`),
      'reject',
      {},
    );
    legacy(
      cat,
      'filter value 10,000 deep (v2)',
      '/data/count',
      () => legacyAuthed(`"collectionName":"${C}","filter":{"title":{"$eq":${deepObjectText(10_000)}}}`),
      'tolerate',
      {},
    );
    legacy(cat, 'v1 filter with an unknown operator', '/data/find', () =>
      legacyAuthed(`"collectionName":"${C}","filter":{"operator":"$where","fieldName":"title","value":"1"}`),
    );
    legacy(cat, 'sort a string', '/data/find', () => legacyAuthed(`"collectionName":"${C}","sort":"title"`));
    legacy(cat, 'skip negative', '/data/find', () => legacyAuthed(`"collectionName":"${C}","skip":-1`));
    legacy(cat, 'limit a string', '/data/find', () => legacyAuthed(`"collectionName":"${C}","limit":"10"`));
    legacy(cat, 'item a string (insert)', '/data/insert', () =>
      legacyAuthed(`"collectionName":"${C}","item":"x"`),
    );
    legacy(cat, 'items an object (insert/bulk)', '/data/insert/bulk', () =>
      legacyAuthed(`"collectionName":"${C}","items":{}`),
    );
    legacy(cat, 'itemId a number (get)', '/data/get', () =>
      legacyAuthed(`"collectionName":"${C}","itemId":5`),
    );
    legacy(cat, 'itemIds a string (remove/bulk)', '/data/remove/bulk', () =>
      legacyAuthed(`"collectionName":"${C}","itemIds":"x"`),
    );
    legacy(cat, 'aggregation a string', '/data/aggregate', () =>
      legacyAuthed(`"collectionName":"${C}","processingStep":"x","postFilteringStep":7`),
    );
    legacy(cat, 'column a string (column/add)', '/schemas/column/add', () =>
      legacyAuthed(`"collectionName":"${ctx.scratch}","column":"x"`),
    );
    legacy(cat, 'schemaIds a string (find)', '/schemas/find', () => legacyAuthed('"schemaIds":"x"'));
    legacy(
      cat,
      'schemaIds 5,000 long (find)',
      '/schemas/find',
      () => legacyAuthed(`"schemaIds":${JSON.stringify(Array.from({ length: 5000 }, (_, i) => `s${i}`))}`),
      'tolerate',
    );
    legacy(
      cat,
      'truncate a missing collection',
      '/data/truncate',
      () => legacyAuthed('"collectionName":"no-such-collection"'),
      'reject',
      { status: 404 },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 15. The open /v3/provision path with hostile JSON
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'open-provision';
    cases.push({
      category: cat,
      name: 'garbage',
      method: 'POST',
      path: '/v3/provision',
      protocol: 'v3',
      body: () => '{{{',
      expect: 'reject',
      status: 400,
    });
    cases.push({
      category: cat,
      name: '10,000-deep JSON',
      method: 'POST',
      path: '/v3/provision',
      protocol: 'v3',
      body: () => deepObjectText(10_000),
      expect: 'tolerate',
    });
    cases.push({
      category: cat,
      name: '__proto__ JSON',
      method: 'POST',
      path: '/v3/provision',
      protocol: 'v3',
      body: () => '{"__proto__":{"polluted":"yes"}}',
      expect: 'tolerate',
    });
    cases.push({
      category: cat,
      name: 'invalid bytes',
      method: 'POST',
      path: '/v3/provision',
      protocol: 'v3',
      body: () => Buffer.from([0x7b, 0xff, 0x7d]),
      expect: 'reject',
      status: 400,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 16. Issue 10: caller-chosen paths that name a prototype, in every place an object is built or
  //     read from one (each a 200 answered from own fields only, or a 400; never a 5xx and never
  //     a change to Object.prototype, which corpus.test.ts checks after every case)
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'aggregation-paths';
    const PROTO_PATHS = [
      '__proto__.zz',
      '__proto__',
      'constructor.prototype',
      'constructor.prototype.zz',
      'prototype',
      'prototype.zz',
      'toString',
      'a.__proto__.zz',
      'hasOwnProperty.call',
    ];
    const ok200 = { status: 200 } as const;
    for (const p of PROTO_PATHS) {
      const count = [{ resultFieldName: 'n', itemCount: {} }];
      v3req(
        cat,
        `groupingFields [${p}]`,
        'aggregate',
        {
          collectionId: C,
          aggregation: { groupingFields: [p], operations: count },
        },
        'tolerate',
        ok200,
      );
      v3req(
        cat,
        `groupingFields [title, ${p}] with a finalFilter on it`,
        'aggregate',
        {
          collectionId: C,
          aggregation: { groupingFields: ['title', p], operations: count },
          finalFilter: { [p]: { $exists: false } },
          sort: [{ fieldName: p, order: 'DESC' }],
        },
        'tolerate',
        ok200,
      );
      v3req(
        cat,
        `max of ${p}`,
        'aggregate',
        {
          collectionId: C,
          aggregation: { operations: [{ resultFieldName: 'm', max: { itemFieldName: p } }] },
        },
        'tolerate',
        ok200,
      );
      v3req(
        cat,
        `projection [${p}]`,
        'query',
        { collectionId: C, query: { fields: [p, 'title'] } },
        'tolerate',
        ok200,
      );
      v3req(cat, `distinct ${p}`, 'distinct', { collectionId: C, fieldName: p }, 'tolerate', ok200);
      v3req(
        cat,
        `sort by ${p}`,
        'query',
        {
          collectionId: C,
          query: { sort: [{ fieldName: p, order: 'ASC' }], paging: { limit: 2 } },
        },
        'tolerate',
        ok200,
      );
      v3req(
        cat,
        `filter on ${p}`,
        'count',
        { collectionId: C, filter: { [p]: { $exists: true } } },
        'tolerate',
        ok200,
      );
      legacy(
        cat,
        `legacy v2 processingStep._id "$${p}"`,
        '/data/aggregate',
        () =>
          legacyAuthed(
            `"collectionName":"${C}","processingStep":{"_id":"$${p}","n":{"$sum":1},"m":{"$max":"$${p}"}}`,
          ),
        'tolerate',
        ok200,
      );
      legacy(
        cat,
        `legacy v2 processingStep._id {a: "$${p}"} with a postFilteringStep on it`,
        '/data/aggregate',
        () =>
          legacyAuthed(
            `"collectionName":"${C}","processingStep":{"_id":{"a":"$${p}","b":"$title"},"n":{"$sum":1}},` +
              `"postFilteringStep":{"${p}":{"$ne":"x"}}`,
          ),
        'tolerate',
        ok200,
      );
      legacy(
        cat,
        `legacy v1 aggregation _id ${p}`,
        '/data/aggregate',
        () =>
          legacyAuthed(
            `"collectionName":"${C}","aggregation":{"processingStep":{"_id":"${p}","n":{"$sum":1}}}`,
          ),
        'tolerate',
        ok200,
      );
      legacy(
        cat,
        `legacy find sorted and filtered by ${p}`,
        '/data/find',
        () =>
          legacyAuthed(
            `"collectionName":"${C}","filter":{"operator":"$eq","fieldName":"${p}","value":"x"},` +
              `"sort":[{"fieldName":"${p}","direction":"desc"}],"skip":0,"limit":5`,
          ),
        'tolerate',
        ok200,
      );
    }
    for (const fn of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      legacy(
        cat,
        `legacy aggregation function ${fn}`,
        '/data/aggregate',
        () => legacyAuthed(`"collectionName":"${C}","processingStep":{"_id":null,"x":{"${fn}":"$n"}}`),
        'reject',
        { status: 400 },
      );
      v3text(
        cat,
        `V3 aggregation kind ${fn}`,
        'aggregate',
        `{"collectionId":"${C}","aggregation":{"operations":[{"resultFieldName":"x","${fn}":{"itemFieldName":"n"}}]}}`,
        'reject',
        { status: 400 },
      );
    }
    legacy(
      cat,
      'legacy result name __proto__',
      '/data/aggregate',
      () => legacyAuthed(`"collectionName":"${C}","processingStep":{"_id":"$title","__proto__":{"$sum":1}}`),
      'tolerate',
      ok200,
    );
    v3req(
      cat,
      'V3 result name __proto__',
      'aggregate',
      {
        collectionId: C,
        aggregation: {
          groupingFields: ['title'],
          operations: [{ resultFieldName: '__proto__', itemCount: {} }],
        },
      },
      'tolerate',
      ok200,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 17. Issue 10 item 5: the legacy /data/aggregate with V3's caps
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'legacy-aggregate-abuse';
    const agg = (
      name: string,
      step: () => string,
      expect: Expectation = 'reject',
      extra: Partial<HostileCase> = { status: 400 },
    ) =>
      legacy(
        cat,
        name,
        '/data/aggregate',
        () => legacyAuthed(`"collectionName":"${C}","processingStep":${step()}`),
        expect,
        extra,
      );
    const ops = (n: number) => Array.from({ length: n }, (_, i) => `"r${i}":{"$max":"$f${i}"}`).join(',');
    const groups = (n: number) => Array.from({ length: n }, (_, i) => `"g${i}":"$f${i}"`).join(',');
    agg('10,000 operations (0.45 MB)', () => `{"_id":null,${ops(10_000)}}`);
    agg('101 operations', () => `{"_id":null,${ops(101)}}`);
    agg('100 operations', () => `{"_id":null,${ops(100)}}`, 'tolerate', { status: 200 });
    agg('10,000 grouping fields', () => `{"_id":{${groups(10_000)}},"n":{"$sum":1}}`);
    agg('33 grouping fields', () => `{"_id":{${groups(33)}},"n":{"$sum":1}}`);
    agg('32 grouping fields and 68 operations', () => `{"_id":{${groups(32)}},${ops(68)}}`, 'tolerate', {
      status: 200,
    });
    agg('a 100 KB field reference', () => `{"_id":"$${'f'.repeat(100 * KB)}","n":{"$sum":1}}`);
    agg('a 100 KB result name', () => `{"_id":null,"${'r'.repeat(100 * KB)}":{"$sum":1}}`);
    agg('{$sum: 2}', () => '{"_id":null,"n":{"$sum":2}}');
    agg('two functions in one operation', () => '{"_id":null,"n":{"$sum":1,"$max":"$n"}}');
    agg('a nested processingStep 5,000 deep', () => `{"_id":${deepObjectText(5000)}}`);
    agg('an aggregation kind nested as an object', () => '{"_id":null,"n":{"$max":{"$max":"$n"}}}');
    legacy(
      cat,
      'v1 with 10,000 operations',
      '/data/aggregate',
      () =>
        legacyAuthed(`"collectionName":"${C}","aggregation":{"processingStep":{"_id":null,${ops(10_000)}}}`),
      'reject',
      { status: 400 },
    );
    legacy(
      cat,
      'sort on 10,000 fields',
      '/data/aggregate',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","processingStep":{"_id":"$title","n":{"$sum":1}},"sort":[${Array.from({ length: 10_000 }, (_, i) => `{"fieldName":"f${i}","direction":"asc"}`).join(',')}]`,
        ),
      'reject',
      { status: 400 },
    );
    legacy(
      cat,
      'skip above the in-memory maximum',
      '/data/find',
      () =>
        legacyAuthed(`"collectionName":"${C}","sort":[{"fieldName":"title","direction":"asc"}],"skip":10001`),
      'reject',
      { status: 400 },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 18. Issue 10 item 4 and item 10: big operands, filters heavy per item, numbers out of range
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'big-operands';
    const values = (n: number, size: number) =>
      Array.from({ length: n }, (_, i) => `v${i}-${'x'.repeat(size)}`);
    const query = (filter: unknown) => ({ collectionId: C, query: { filter } });
    v3req(
      cat,
      '$hasSome of 1,000 x 440 B (the 0.45 MB report)',
      'query',
      query({ tags: { $hasSome: values(1000, 440) } }),
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      '$in of 1,000 x 100 B',
      'count',
      { collectionId: C, filter: { title: { $in: values(1000, 100) } } },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      '$hasAll of one 20 KB value',
      'query',
      query({ tags: { $hasAll: ['x'.repeat(20 * KB)] } }),
      'reject',
      { status: 400 },
    );
    v3req(cat, '$eq a 20 KB document', 'query', query({ obj: { a: 'x'.repeat(20 * KB) } }), 'reject', {
      status: 400,
    });
    v3req(
      cat,
      '$contains a 17 KB string',
      'query',
      query({ title: { $contains: 'x'.repeat(17 * KB) } }),
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      '2,000 $contains conditions (60 KB, allowed, bounded by the time budget)',
      'query',
      query({ $or: Array.from({ length: 2000 }, (_, i) => ({ title: { $contains: `absent-${i}` } })) }),
      'tolerate',
    );
    v3req(
      cat,
      '2,000 $hasSome conditions on one array field',
      'aggregate',
      {
        collectionId: C,
        initialFilter: { $or: Array.from({ length: 2000 }, (_, i) => ({ tags: { $hasSome: [{ no: i }] } })) },
        aggregation: { operations: [{ resultFieldName: 'n', itemCount: {} }] },
      },
      'tolerate',
    );
    v3req(
      cat,
      '$in of 1,000 uuids (what sites send)',
      'query',
      query({ _id: { $in: Array.from({ length: 1000 }, () => randomUUID()) } }),
      'tolerate',
      { status: 200 },
    );
    v3req(
      cat,
      'aggregate finalFilter with a 20 KB operand',
      'aggregate',
      {
        collectionId: C,
        aggregation: { groupingFields: ['title'], operations: [{ resultFieldName: 'n', itemCount: {} }] },
        finalFilter: { title: 'x'.repeat(20 * KB) },
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'distinct under a 0.2 MB filter',
      'distinct',
      {
        collectionId: C,
        fieldName: 'title',
        filter: { title: { $nin: values(1000, 200) } },
      },
      'reject',
      { status: 400 },
    );
    legacy(
      cat,
      'legacy $hasSome of 1,000 x 440 B',
      '/data/find',
      () =>
        legacyAuthed(
          `"collectionName":"${C}","filter":{"tags":{"$hasSome":${JSON.stringify(values(1000, 440))}}}`,
        ),
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'insert n: 1e126',
      'insert',
      { collectionId: C, items: [{ _id: fresh('huge'), n: 1e126 }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(
      cat,
      'insert n: -1e126 nested',
      'insert',
      { collectionId: C, items: [{ _id: fresh('huge'), obj: { n: -1e126 } }] },
      'perItemErrors',
      { slotCode: 'VALIDATION_ERROR' },
    );
    v3req(cat, 'filter n < 1e126', 'query', query({ n: { $lt: 1e126 } }), 'tolerate', { status: 200 });
    v3req(
      cat,
      'filter n $in [1e126, 1e-131]',
      'count',
      { collectionId: C, filter: { n: { $in: [1e126, 1e-131] } } },
      'tolerate',
      { status: 200 },
    );
    v3req(
      cat,
      'offset 10,001 sorted by title',
      'query',
      {
        collectionId: C,
        query: { sort: [{ fieldName: 'title', order: 'ASC' }], paging: { offset: 10_001, limit: 1000 } },
      },
      'reject',
      { status: 400 },
    );
    v3req(
      cat,
      'offset 10,000,000 sorted by _id (streams)',
      'query',
      {
        collectionId: C,
        query: { sort: [{ fieldName: '_id', order: 'ASC' }], paging: { offset: 10_000_000, limit: 1000 } },
      },
      'tolerate',
      { status: 200 },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // 19. includeReferencedItems as an amplifier (issue 10, item 6): every include is bounded by the
  //     rows returned and the request budget, so each of these is a 200 or a 4xx, never a 5xx
  // ---------------------------------------------------------------------------------------------
  {
    const cat = 'includes';
    const C = ctx.collection;
    v3req(
      cat,
      '20 includes of one multi-reference field, 1,000 each, with a filter nothing matches',
      'query',
      {
        collectionId: C,
        includeReferencedItems: Array.from({ length: 20 }, () => ({
          fieldKey: 'refs',
          limit: 1000,
          filter: { title: { $eq: 'matches nothing' } },
        })),
      },
      'tolerate',
    );
    v3req(
      cat,
      'include of a field that is not a reference, and of an unknown field',
      'query',
      {
        collectionId: C,
        includeReferencedItems: [
          { fieldKey: 'title', limit: 1000 },
          { fieldKey: 'no-such-field', limit: 1000 },
        ],
      },
      'tolerate',
    );
    v3req(
      cat,
      'include with a filter on a field the target does not have, on a one-row page',
      'query',
      {
        collectionId: C,
        query: { cursorPaging: { limit: 1 } },
        includeReferencedItems: [{ fieldKey: 'refs', limit: 1, filter: { nope: { $hasSome: ['x'] } } }],
      },
      'tolerate',
    );
    v3req(
      cat,
      'query-referenced of every reference with items, 1,000 per page',
      'queryReferenced',
      { collectionId: C, referringFieldKey: 'refs', includeReferencedItems: true, paging: { limit: 1000 } },
      'tolerate',
    );
  }

  return cases;
}
