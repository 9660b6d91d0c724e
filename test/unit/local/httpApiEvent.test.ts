/** The local server's payload-2.0 events: text or base64 bodies as API Gateway sends them, and their size. */
import {
  eventBytes,
  httpApiEvent,
  isTextBody,
  MAX_INVOKE_REQUEST_BYTES,
  requestTooLargeResponse,
  type LocalRequest,
} from '../../../bin/local/httpApiEvent';

const request = (body: Buffer, contentType?: string): LocalRequest => ({
  method: 'POST',
  path: '/v3/items/query',
  rawQueryString: '',
  headers:
    contentType === undefined
      ? { host: 'adaptor.test' }
      : { host: 'adaptor.test', 'content-type': contentType },
  body,
  sourceIp: '127.0.0.1',
});

describe('payload-2.0 events of the local server', () => {
  it.each([
    ['text/plain', true],
    ['text/plain; charset=utf-8', true],
    ['TEXT/HTML', true],
    ['application/json', true],
    ['application/json; charset=UTF-8', true],
    ['application/xml', true],
    ['application/javascript', true],
    ['application/octet-stream', false],
    ['application/x-www-form-urlencoded', false],
    ['application/jwt', false],
    ['multipart/form-data; boundary=x', false],
    [undefined, false],
    ['', false],
  ])('a %p body is text: %p', (contentType, text) => {
    expect(isTextBody(contentType)).toBe(text);
    const event = httpApiEvent(request(Buffer.from('{"a":"é"}'), contentType));
    expect(event.isBase64Encoded).toBe(!text);
    expect(event.body).toBe(text ? '{"a":"é"}' : Buffer.from('{"a":"é"}').toString('base64'));
  });

  it('has the fields API Gateway sends, with fixed-length variable parts', () => {
    const event = httpApiEvent(
      request(Buffer.from('x'), 'text/plain'),
      new Date(Date.UTC(2026, 0, 5, 7, 8, 9)),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v3/items/query',
      rawPath: '/v3/items/query',
      rawQueryString: '',
      requestContext: {
        domainName: 'adaptor.test',
        domainPrefix: 'adaptor',
        http: { method: 'POST', path: '/v3/items/query', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        routeKey: 'POST /v3/items/query',
        stage: '$default',
        time: '05/Jan/2026:07:08:09 +0000',
        timeEpoch: Date.UTC(2026, 0, 5, 7, 8, 9),
      },
      body: 'x',
      isBase64Encoded: false,
    });
    // the same request measures the same, whatever its request id
    expect(eventBytes(httpApiEvent(request(Buffer.from('x'), 'text/plain')))).toBe(eventBytes(event));
  });

  it('leaves the body out when there is none', () => {
    const event = httpApiEvent(request(Buffer.alloc(0), 'text/plain'));
    expect('body' in event).toBe(false);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('measures the JSON Lambda receives: escaping and base64 count', () => {
    const size = (body: Buffer, type: string) => eventBytes(httpApiEvent(request(body, type)));
    const base = size(Buffer.alloc(0), 'text/plain');
    // no body leaves out `,"body":""`: 10 bytes
    expect(size(Buffer.from('a'.repeat(1000)), 'text/plain')).toBe(base + 10 + 1000);
    expect(size(Buffer.from('"'.repeat(1000)), 'text/plain')).toBe(base + 10 + 2000);
    expect(size(Buffer.from('a'.repeat(999)), 'application/octet-stream')).toBe(
      // 999 bytes are 1,332 in base64; `true` is a byte shorter than the empty event's `false`
      size(Buffer.alloc(0), 'application/octet-stream') + 10 + 1332 - 1,
    );
  });

  it('answers what API Gateway answers for an event over 6,291,456 bytes', () => {
    expect(MAX_INVOKE_REQUEST_BYTES).toBe(6_291_456);
    const res = requestTooLargeResponse();
    expect([res.statusCode, JSON.parse(res.body)]).toEqual([413, { message: 'Request Entity Too Large' }]);
  });
});
