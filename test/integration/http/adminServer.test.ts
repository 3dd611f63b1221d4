// The admin server over real HTTP on a random loopback port.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/cache/MemoryCache.js';
import {
  createAdminServer,
  isLoopbackHost,
  type AdminServer,
  type AdminTimeouts,
} from '../../../src/http/adminServer.js';
import { cacheReadinessCheck, type ReadinessChecks } from '../../../src/http/readiness.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetricsRegistry } from '../../../src/observability/metrics.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

const running: AdminServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

function upChecks(): ReadinessChecks {
  return {
    database: { required: true, check: () => ({ up: true }) },
    cache: cacheReadinessCheck(new MemoryCache()),
    discord: { required: true, check: () => ({ up: true, detail: 'gateway ready' }) },
    twitch: { required: true, check: () => ({ up: true }) },
  };
}

async function startServer(
  overrides: {
    metricsToken?: string;
    readinessChecks?: ReadinessChecks;
    routes?: FastifyPluginAsync;
    timeouts?: Partial<AdminTimeouts>;
  } = {},
) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const registry = createMetricsRegistry({ version: 'test' });
  const server = createAdminServer({
    host: '127.0.0.1',
    port: 0,
    metricsToken: overrides.metricsToken,
    registry,
    readinessChecks: overrides.readinessChecks ?? upChecks(),
    logger: createLogger({ level: 'debug', destination }),
    ...(overrides.timeouts ? { timeouts: overrides.timeouts } : {}),
  });
  if (overrides.routes) server.registerRoutes(overrides.routes);
  running.push(server);
  const { url } = await server.start();
  return { server, url, registry, lines };
}

describe('the admin server', () => {
  it('answers /healthz with 200 while the process is alive', async () => {
    const { url } = await startServer();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('reports ready with every dependency (details for the operator token) when all required checks pass', async () => {
    const { url } = await startServer({ metricsToken: METRICS_TOKEN });
    const response = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: {
        database: { status: 'up', required: true },
        cache: { status: 'up', detail: 'memory, 0 entries, 0 bytes', required: false },
        discord: { status: 'up', detail: 'gateway ready', required: true },
        twitch: { status: 'up', required: true },
      },
    });
  });

  it('stays ready while only an optional dependency is down', async () => {
    const { url } = await startServer({
      metricsToken: METRICS_TOKEN,
      readinessChecks: {
        ...upChecks(),
        cache: { required: false, check: () => ({ up: false, detail: 'redis reconnecting' }) },
      },
    });
    const response = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      checks: { cache: { status: 'down', detail: 'redis reconnecting', required: false } },
    });
  });

  it('answers 503 not_ready when a required dependency is down or its check hangs', async () => {
    const { url, lines } = await startServer({
      metricsToken: METRICS_TOKEN,
      readinessChecks: {
        ...upChecks(),
        database: {
          required: true,
          check: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
        },
        twitch: { required: true, timeoutMs: 150, check: () => new Promise(() => undefined) },
      },
    });
    // Without the operator token: up/down only. Driver errors name internal hosts and ports.
    const anonymous = await fetch(`${url}/readyz`);
    expect(anonymous.status).toBe(503);
    const anonymousText = await anonymous.text();
    expect(anonymousText).not.toContain('5432');
    expect(JSON.parse(anonymousText)).toEqual({
      status: 'not_ready',
      checks: {
        database: { status: 'down', required: true },
        cache: { status: 'up', required: false },
        discord: { status: 'up', required: true },
        twitch: { status: 'down', required: true },
      },
    });
    // The operator still finds the detail in the log, once per change.
    expect(
      lines.filter((line) => line.includes('dependency down') && line.includes('ECONNREFUSED')),
    ).toHaveLength(1);

    const response = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'not_ready',
      checks: {
        database: {
          status: 'down',
          detail: 'check failed: connect ECONNREFUSED 127.0.0.1:5432',
          required: true,
        },
        twitch: { status: 'down', detail: 'check timed out after 150 ms', required: true },
        discord: { status: 'up', required: true },
      },
    });
  });

  it('serves Prometheus text on /metrics without a token when none is configured', async () => {
    const { url } = await startServer();
    await fetch(`${url}/healthz`);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(text).toContain('# TYPE tcs_http_requests_total counter');
    expect(text).toContain('tcs_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(text).toContain('tcs_dependency_up{dependency="database"} 1');
    expect(text).toContain('tcs_build_info{version="test"');
    // Every sample line is `name{labels} value`: a cheap check that the exposition format parses.
    for (const line of text.split('\n').filter((line) => line && !line.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$/);
    }
  });

  it('requires the bearer token on /metrics when one is configured', async () => {
    const { url } = await startServer({ metricsToken: METRICS_TOKEN });
    const missing = await fetch(`${url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });

    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const wrongScheme = await fetch(`${url}/metrics`, {
      headers: { authorization: `Basic ${METRICS_TOKEN}` },
    });
    expect(wrongScheme.status).toBe(401);

    const right = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('# TYPE');

    // Health endpoints stay open: orchestrators probe them without credentials.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('answers unknown routes with a 404 JSON body that leaves out the query string', async () => {
    const { url, registry } = await startServer();
    const response = await fetch(`${url}/nope?code=secret-oauth-code`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'No route for GET /nope' });
    expect(await registry.metrics()).toContain(
      'tcs_http_requests_total{method="GET",route="unmatched",status="404"} 1',
    );
  });

  it('serves routes other modules register before start, with JSON errors', async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/auth/twitch/ping', async () => ({ pong: true }));
      app.get('/auth/twitch/boom', async () => {
        throw new Error('database exploded with password=hunter2hunter2');
      });
    };
    const { server, url, lines } = await startServer({ routes });
    expect(await (await fetch(`${url}/auth/twitch/ping`)).json()).toEqual({ pong: true });
    const boom = await fetch(`${url}/auth/twitch/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: 'internal_error', message: 'Internal server error' });
    expect(lines.join('')).toContain('admin request failed');
    expect(lines.join('')).not.toContain('hunter2');
    expect(() => server.registerRoutes(routes)).toThrow(/before the admin server starts/);
  });

  it('refuses to listen on a non-loopback address without an operator token', async () => {
    const server = createAdminServer({
      host: '0.0.0.0',
      port: 0,
      registry: createMetricsRegistry({ version: 'test' }),
      readinessChecks: upChecks(),
      logger: createLogger({ level: 'silent' }),
    });
    running.push(server);
    await expect(server.start()).rejects.toThrow(/METRICS_TOKEN must be set/);
    expect(['127.0.0.1', '127.0.0.53', 'localhost', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.5', 'bot.internal'].some(isLoopbackHost)).toBe(false);
  });

  it('cuts off a client that opens a request and stops sending (slowloris)', async () => {
    const { url } = await startServer({ timeouts: { connectionMs: 300, requestMs: 1_000 } });
    const { port } = new URL(url);
    const closedAfterMs = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers never finished
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Date.now() - started));
      setTimeout(() => {
        socket.destroy();
        reject(new Error('the server kept a stalled request open for 3 s'));
      }, 3_000).unref();
    });
    expect(closedAfterMs).toBeLessThan(3_000);
  });

  it('stops listening on stop, and stop is idempotent', async () => {
    const { server, url } = await startServer();
    await server.stop();
    await server.stop();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
