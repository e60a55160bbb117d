/**
 * A local stand-in for a Lambda function URL: an HTTP server on 127.0.0.1 that turns each request
 * into the function URL event (payload format version 2.0, as Lambda builds it: lower-case headers,
 * the body as text for text content types and base64 otherwise, `isBase64Encoded`), calls the
 * handler and writes its result back (status, headers, body). Requests are real HTTP, from `fetch`.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

export type UrlHandler = (event: any) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;

/** Content types whose bodies Lambda passes as text; the rest arrive base64-encoded. */
const TEXT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

export class LocalFunctionUrl {
  public static async start(handler: () => UrlHandler): Promise<LocalFunctionUrl> {
    const url = new LocalFunctionUrl(handler);
    await new Promise<void>((resolve) => url.server.listen(0, '127.0.0.1', resolve));
    return url;
  }

  /** The events the handler received. */
  public readonly events: any[] = [];
  private readonly server: http.Server;
  private requests = 0;

  private constructor(handler: () => UrlHandler) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const contentType = String(req.headers['content-type'] ?? '');
        const text = raw.length === 0 || TEXT.test(contentType);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : String(v)]));
        const [rawPath, rawQueryString = ''] = (req.url ?? '/').split('?');
        const requestId = `req-${++this.requests}`;
        const event = {
          version: '2.0',
          routeKey: '$default',
          rawPath,
          rawQueryString,
          headers,
          requestContext: {
            accountId: 'anonymous',
            apiId: 'local',
            domainName: `${this.host}`,
            http: { method: req.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
            requestId,
            routeKey: '$default',
            stage: '$default',
            time: new Date().toUTCString(),
            timeEpoch: Date.now(),
          },
          ...(raw.length > 0 ? { body: text ? raw.toString('utf-8') : raw.toString('base64') } : {}),
          isBase64Encoded: !text,
        };
        this.events.push(event);
        handler()(event).then((result) => {
          res.writeHead(result.statusCode, result.headers ?? {});
          res.end(result.body ?? '');
        }, (error) => {
          // What Lambda answers when the function throws.
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ Message: 'Internal Server Error', error: String(error) }));
        });
      });
    });
  }

  public get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public get url(): string {
    return `http://${this.host}/`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
