import { createHash, timingSafeEqual } from 'node:crypto';
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
import { evaluateReadiness, type ReadinessChecks, type ReadinessReport } from './readiness.js';

export interface AdminServerOptions {
  host: string;
  /** 0 picks a random free port; `start()` returns the real URL. */
  port: number;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  registry: Registry;
  readinessChecks: ReadinessChecks;
  logger: Logger;
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

/**
 * The operator-facing HTTP server: liveness, readiness, Prometheus metrics, plus routes other modules
 * register. It binds to ADMIN_HOST (127.0.0.1 by default) because /readyz details are for operators.
 */
export function createAdminServer(options: AdminServerOptions): AdminServer {
  const log = withComponent(options.logger, 'admin-http');
  const metrics = foundationMetrics(options.registry);
  // Fastify's own per-request info lines would log every probe; we log requests at debug in onResponse.
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  // The cast drops the pino-specific logger generic so plugins can take a plain FastifyInstance.

  const expectedToken = options.metricsToken === undefined ? undefined : digest(options.metricsToken);

  // Concurrent probes (kubelet, Prometheus, an operator's curl) share one evaluation instead of each
  // hitting the database.
  let inflight: Promise<ReadinessReport> | undefined;
  const readiness = (): Promise<ReadinessReport> => {
    inflight ??= evaluateReadiness(options.readinessChecks)
      .then((report) => {
        for (const [name, check] of Object.entries(report.checks)) {
          metrics.dependencyUp.set({ dependency: name }, check.status === 'up' ? 1 : 0);
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

  app.get('/readyz', async (_request, reply) => {
    const report = await readiness();
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });

  app.get('/metrics', async (request, reply) => {
    if (expectedToken) {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      // Compare fixed-length digests in constant time, so neither content nor length leaks through timing.
      if (!match || !timingSafeEqual(digest(match[1]!), expectedToken)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({
          error: 'unauthorized',
          message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
        });
      }
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
