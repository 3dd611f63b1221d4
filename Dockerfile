# Production image: compiled JavaScript on Node 20, no dev dependencies, non-root, tini as PID 1.
#
#   docker build -t twitch-clip-search .
#   docker run --env-file .env -v tcs-data:/data -p 127.0.0.1:8080:8080 twitch-clip-search
#
# test/packaging/dockerfile.test.ts checks that the build and start commands below are the package.json
# scripts CI runs (`npm run build`, `npm run start:prod`), so the image runs exactly what the tests prove.

# ---- build: install everything, generate the Prisma client, compile, drop dev dependencies -----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# `npm run build` generates the Prisma client into src/generated (offline, scripts/prisma-generate.mjs) and
# compiles it with the rest into dist/: nothing is generated when the container starts.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
# tini as PID 1 forwards SIGTERM/SIGINT to node and reaps zombies; node as PID 1 would ignore the default
# signal dispositions the kernel gives PID 1.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
# ADMIN_HOST=0.0.0.0: inside a container the admin server must listen on the container's interface for the
# HEALTHCHECK, Prometheus and OAuth callbacks to reach it. That makes it reachable from outside, so the bot
# refuses to start without METRICS_TOKEN (it guards /metrics and /readyz details): pass one with
# `-e METRICS_TOKEN=…`. Publish the port only on a private network.
# MALLOC_ARENA_MAX=2: glibc gives each thread that meets a locked arena an arena of its own (up to 8 per
# core), and memory freed by V8's compiler threads at start-up stays resident in them: two arenas kept an
# idle bot on PostgreSQL ~17 MB smaller (median of 3; nothing measurable on PGlite; docs/operations.md,
# "Memory"). glibc reads it before node starts, so it is an ENV here, not part of `npm run start:prod`
# (which stays a plain node command that runs on every OS).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    DATA_DIR=/data \
    ADMIN_HOST=0.0.0.0 \
    ADMIN_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are applied by the bot at start-up (src/db/migrate.ts finds prisma/migrations from dist/).
COPY --from=build /app/prisma ./prisma
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# No curl in slim images: node's fetch probes the liveness endpoint on the configured port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.ADMIN_PORT || 8080}/healthz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: no shell in between, so tini's forwarded signals reach node, which stops gracefully (< 10 s).
# The command is `npm run start:prod`'s, node flags included (--max-semi-space-size: see docs/operations.md).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=4", "dist/src/main.js"]
