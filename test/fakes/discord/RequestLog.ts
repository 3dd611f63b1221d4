// Every REST request the fake answered, with auth secrets stripped, plus matching helpers for tests.

export interface LoggedRequest {
  method: string;
  /** Path below /api/v{n}, without the query string, e.g. `/channels/123/messages`. */
  path: string;
  apiVersion: number;
  query: Record<string, string>;
  /** Parsed JSON body (or `payload_json` of a multipart body); undefined when empty. */
  body: unknown;
  /** Attachments of a multipart body, with their bytes (so a test can decode an image). */
  files: UploadedFile[];
  /** Request headers without `authorization`. */
  headers: Record<string, string>;
  /** Whether a valid bot token was sent. */
  authenticated: boolean;
  /** Response status; 0 when a fault dropped the connection. */
  status: number;
  responseBody: unknown;
  at: number;
}

/** `"POST /channels/:id/messages"`, `"/webhooks/*\/*"` (any method), or a RegExp tested on `"METHOD /path"`. */
export type RoutePattern = string | RegExp;

export type RequestMatcher =
  | RoutePattern
  | { method?: string; path?: RoutePattern; status?: number }
  | ((request: LoggedRequest) => boolean);

export function compileRoutePattern(pattern: RoutePattern): (method: string, path: string) => boolean {
  if (pattern instanceof RegExp) return (method, path) => pattern.test(`${method} ${path}`);
  const [first, second] = pattern.trim().split(/\s+/, 2);
  const method = second === undefined ? undefined : first!.toUpperCase();
  const template = second ?? first!;
  const source = template
    .split('/')
    .map((segment) =>
      segment.startsWith(':') || segment === '*' ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  const regex = new RegExp(`^${source}$`);
  return (requestMethod, path) => (method === undefined || method === requestMethod) && regex.test(path);
}

export function compileMatcher(matcher: RequestMatcher): (request: LoggedRequest) => boolean {
  if (typeof matcher === 'function') return matcher;
  if (typeof matcher === 'string' || matcher instanceof RegExp) {
    const route = compileRoutePattern(matcher);
    return (request) => route(request.method, request.path);
  }
  const route = matcher.path === undefined ? undefined : compileRoutePattern(matcher.path);
  return (request) =>
    (matcher.method === undefined || matcher.method.toUpperCase() === request.method) &&
    (route === undefined || route(request.method, request.path)) &&
    (matcher.status === undefined || matcher.status === request.status);
}

export interface UploadedFile {
  name: string;
  size: number;
  data: Buffer;
}
