import { STATUS_CODES } from "node:http";
import { Agent, request, type Dispatcher } from "undici";

/**
 * How the gateway's data sources reach the subgraphs: undici's request API over a
 * keep-alive connection pool. Node 20's built-in fetch spent about a fifth of the
 * gateway's CPU in WHATWG Request/Response and stream objects (bench/README.md);
 * this answers the same fetch-shaped contract @apollo/gateway's data source needs
 * (ok, status, headers.get, json, text) from one buffered body.
 */

// Connections stay open between requests (the subgraphs' keep-alive hint bounds how long).
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 256 });

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

class SubgraphResponse {
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: Headers;
  constructor(
    readonly url: string,
    readonly status: number,
    rawHeaders: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = STATUS_CODES[status] ?? "";
    this.headers = new Headers();
    for (const [name, value] of Object.entries(rawHeaders)) {
      if (Array.isArray(value)) for (const item of value) this.headers.append(name, item);
      else if (value !== undefined) this.headers.set(name, value);
    }
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
}

/** A fetch-shaped function bounded by `timeoutMs` per request (headers and body). */
export function subgraphFetcher(timeoutMs: number) {
  return async (url: string, init: FetchInit = {}): Promise<SubgraphResponse> => {
    const response = await request(url, {
      dispatcher: agent,
      method: (init.method ?? "POST") as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return new SubgraphResponse(url, response.statusCode, response.headers, await response.body.text());
  };
}
