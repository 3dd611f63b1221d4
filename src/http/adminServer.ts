import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
} from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { foundationMetrics } from '../observability/metrics.js';
import { withComponent } from '../observability/withComponent.js';
import { AppError } from '../shared/errors.js';
import { evaluateReadiness, type ReadinessChecks, type ReadinessReport } from './readiness.js';

export interface AdminServerOptions {
  host: string;
  /** 0 picks a random free port; `start()` returns the real URL. */
  port: number;
  /**
   * The operator token (METRICS_TOKEN). When set, GET /metrics requires `Authorization: Bearer <token>`, and
   * /readyz shows dependency details only to requests carrying it. Required to listen on a non-loopback host.
   */
  metricsToken?: string;
  registry: Registry;
  readinessChecks: ReadinessChecks;
  logger: Logger;
  /** Per-request limits; defaults in {@link DEFAULT_ADMIN_TIMEOUTS}. */
  timeouts?: Partial<AdminTimeouts>;
}

export interface AdminTimeouts {
  /** Idle socket timeout: a client that stops sending (slowloris) is cut off after this long. */
  connectionMs: number;
  /** Whole-request limit, headers and body included. */
  requestMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveMs: number;
}

/** Every admin request is small and fast: probes, scrapes, one OAuth redirect. */
export const DEFAULT_ADMIN_TIMEOUTS: AdminTimeouts = {
  connectionMs: 10_000,
  requestMs: 15_000,
  keepAliveMs: 5_000,
};

/** Whether an address only the same machine can reach (the admin server may then run without a token). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

export interface AdminServer {
  /** The fastify instance, for tests (`inject`) and for plugins that need decorators. */
  readonly app: FastifyInstance;
  /**
   * Adds routes from another module (e.g. the Twitch OAuth routes under /auth/twitch/*). Must be called
   * before `start()`; fastify refuses new routes once it listens.
   */
  registerRoutes<O extends Record<string, unknown>>(
    plugin: FastifyPluginAsync<O> | FastifyPluginCallback<O>,
    options?: O,
  ): void;
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function withoutDetails(report: ReadinessReport): ReadinessReport {
  return {
    status: report.status,
    checks: Object.fromEntries(
      Object.entries(report.checks).map(([name, check]) => [
        name,
        { status: check.status, required: check.required },
      ]),
    ),
  };
}

/**
 * The operator-facing HTTP server: liveness, readiness, Prometheus metrics, plus routes other modules
 * register (the public Twitch OAuth routes). It binds to ADMIN_HOST (127.0.0.1 by default); any other address
 * needs METRICS_TOKEN, which guards /metrics and /readyz details. Every request runs under timeouts.
 */
export function createAdminServer(options: AdminServerOptions): AdminServer {
  const log = withComponent(options.logger, 'admin-http');
  const metrics = foundationMetrics(options.registry);
  // Fastify's own per-request info lines would log every probe; we log requests at debug in onResponse.
  const timeouts = { ...DEFAULT_ADMIN_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    connectionTimeout: timeouts.connectionMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // No admin route takes a body; OAuth parameters arrive in the query string.
    bodyLimit: 16 * 1024,
    maxParamLength: 200,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  // The cast drops the pino-specific logger generic so plugins can take a plain FastifyInstance.

  const expectedToken = options.metricsToken === undefined ? undefined : digest(options.metricsToken);
  const hasOperatorToken = (authorization: string | undefined): boolean => {
    if (!expectedToken) return false;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    // Compare fixed-length digests in constant time, so neither content nor length leaks through timing.
    return match !== null && timingSafeEqual(digest(match[1]!), expectedToken);
  };

  // Concurrent probes (kubelet, Prometheus, an operator's curl) share one evaluation instead of each
  // hitting the database.
  let inflight: Promise<ReadinessReport> | undefined;
  // Logged on change, so operators see the detail that unauthenticated /readyz callers do not.
  const lastStatus = new Map<string, string>();
  const readiness = (): Promise<ReadinessReport> => {
    inflight ??= evaluateReadiness(options.readinessChecks)
      .then((report) => {
        for (const [name, check] of Object.entries(report.checks)) {
          metrics.dependencyUp.set({ dependency: name }, check.status === 'up' ? 1 : 0);
          if (lastStatus.get(name) !== check.status) {
            lastStatus.set(name, check.status);
            const fields = { dependency: name, required: check.required, detail: check.detail };
            if (check.status === 'up') log.info(fields, 'dependency up');
            else log.warn(fields, 'dependency down');
          }
        }
        return report;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpRequestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    log.debug(
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'admin request',
    );
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const report = await readiness();
    // Details quote driver errors (internal host:port, versions): operators only. Everyone else sees up/down.
    const body = hasOperatorToken(request.headers.authorization) ? report : withoutDetails(report);
    return reply.code(report.status === 'ready' ? 200 : 503).send(body);
  });

  app.get('/metrics', async (request, reply) => {
    if (expectedToken && !hasOperatorToken(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({
        error: 'unauthorized',
        message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
      });
    }
    // Refresh tcs_dependency_up so every scrape reflects the current state, not the last /readyz call.
    await readiness();
    const body = await options.registry.metrics();
    return reply.header('content-type', options.registry.contentType).send(body);
  });

  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      // The query string is left out: OAuth callbacks carry codes in it.
      message: `No route for ${request.method} ${request.url.split('?')[0]}`,
    }),
  );

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: error.message });
    }
    log.error(
      { err: error, method: request.method, route: request.routeOptions.url },
      'admin request failed',
    );
    return reply.code(500).send({ error: 'internal_error', message: 'Internal server error' });
  });

  let started = false;
  let stopped = false;
  return {
    app,
    registerRoutes(plugin, pluginOptions) {
      if (started) throw new Error('registerRoutes must be called before the admin server starts');
      void app.register(plugin as FastifyPluginAsync, pluginOptions ?? {});
    },
    async start() {
      if (started) throw new Error('admin server already started');
      if (!expectedToken && !isLoopbackHost(options.host)) {
        // /metrics would be open to the network: refuse instead of exposing it.
        throw new AppError(
          'config.metricsTokenRequired',
          `ADMIN_HOST ${options.host} is reachable from other machines, so METRICS_TOKEN must be set ` +
            '(it protects /metrics and /readyz details; generate one with `openssl rand -hex 32`), or listen on 127.0.0.1.',
        );
      }
      started = true;
      // fastify itself logs "Server listening at <url>".
      const url = await app.listen({ host: options.host, port: options.port });
      return { url };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      log.info('admin server stopped');
    },
  };
}
