// No Docker engine runs on the CI machine, so this test holds the Dockerfile to what CI does prove: it must
// build with the same `npm ci` + `npm run build` the compiled-build test runs, start with the exact command of
// `npm run start:prod` (which test/e2e/compiledBuild.test.ts starts against the fakes), and keep the runtime
// properties operators rely on (non-root, exec form under an init, a health check, no secrets in the context).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/botProcess.js';
import { chainedCommands, execForm, parseDockerfile, type DockerInstruction } from './parseDockerfile.js';

const dockerfile = parseDockerfile(readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
const scripts = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const lastStage = Math.max(...dockerfile.map((instruction) => instruction.stage));
const inStage = (stage: number, keyword: string): DockerInstruction[] =>
  dockerfile.filter((instruction) => instruction.stage === stage && instruction.keyword === keyword);
const runtime = (keyword: string): DockerInstruction[] => inStage(lastStage, keyword);
const buildRuns = dockerfile
  .filter((instruction) => instruction.stage < lastStage && instruction.keyword === 'RUN')
  .flatMap((instruction) => chainedCommands(instruction.args));

describe('the Dockerfile', () => {
  it('is multi-stage with a slim Node 20 runtime that copies the build output from an earlier stage', () => {
    expect(lastStage).toBeGreaterThanOrEqual(1);
    expect(runtime('FROM')[0]!.args).toMatch(/^node:20[\w.-]*-slim\b/);
    const copiedFromBuild = runtime('COPY')
      .filter((copy) => copy.args.startsWith('--from='))
      .map((copy) => copy.args.split(/\s+/)[1]);
    expect(copiedFromBuild).toEqual(
      expect.arrayContaining(['/app/dist', '/app/node_modules', '/app/prisma', '/app/package.json']),
    );
  });

  it('installs with npm ci and builds with the same `npm run build` CI runs, generating Prisma there', () => {
    expect(buildRuns.some((command) => /^npm ci\b/.test(command))).toBe(true);
    expect(buildRuns).toContain('npm run build');
    expect(scripts.build).toMatch(/npm run generate/);
    expect(scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    // Nothing in the runtime stage or its start command generates the client again.
    const runtimeText = [...runtime('RUN'), ...runtime('CMD'), ...runtime('ENTRYPOINT')]
      .map((instruction) => instruction.args)
      .join('\n');
    expect(runtimeText).not.toMatch(/generate|tsx|npm (run|start)/);
  });

  it('starts with exactly the command of `npm run start:prod`, in exec form under tini', () => {
    const cmd = runtime('CMD');
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0]!.args)).toEqual(scripts['start:prod']!.split(' '));
    // node, its flags (memory tuning, docs/operations.md "Memory"), then the compiled entry point.
    expect(scripts['start:prod']).toMatch(/^node( --[a-z-]+(=\S+)?)* dist\/src\/main\.js$/);
    const entrypoint = runtime('ENTRYPOINT');
    expect(entrypoint).toHaveLength(1);
    expect(execForm(entrypoint[0]!.args)).toEqual(['/usr/bin/tini', '--']);
    expect(runtime('RUN').some((run) => /apt-get install[^&]*\btini\b/.test(run.args))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = runtime('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks health on /healthz with node (no curl in slim images), on the configured admin port', () => {
    const healthchecks = runtime('HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const argv = execForm(healthchecks[0]!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    expect(argv?.[0]).toBe('node');
    expect(argv?.join(' ')).toMatch(/\/healthz/);
    expect(argv?.join(' ')).toMatch(/ADMIN_PORT/);
  });

  it('listens on all interfaces inside the container and keeps the embedded database in a volume', () => {
    const env = runtime('ENV')
      .map((instruction) => instruction.args)
      .join(' ');
    expect(env).toMatch(/\bADMIN_HOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bDATA_DIR=\/data\b/);
    // glibc's malloc arenas, capped for the resident-memory target (docs/operations.md, "Memory").
    expect(env).toMatch(/\bMALLOC_ARENA_MAX=2\b/);
    expect(runtime('VOLUME').map((volume) => volume.args)).toContain('/data');
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps local installs, the embedded database, generated code and secrets out of the build context', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'data', '.env', '**/.env', 'dist', 'src/generated', '.git']),
    );
    // A later `!` line must not bring .env back in.
    expect(ignored.filter((line) => line.startsWith('!'))).not.toContain('!.env');
  });
});
