// Checks the monitoring files with Prometheus's own tool (Debian package `prometheus`; .ci/run installs it):
// the alert rules parse and pass their unit tests (deploy/prometheus/alerts.test.yml), and every query of the
// Grafana dashboard is valid PromQL (each is checked as a recording rule, which promtool parses fully).
// That the metric names exist is checked against a running bot by test/e2e/botLifecycle.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function promtool(args, cwd) {
  const result = spawnSync('promtool', args, { cwd, stdio: 'inherit' });
  if (result.error)
    throw new Error(`promtool is not installed (apt-get install prometheus): ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

promtool(['check', 'rules', 'alerts.yml'], 'deploy/prometheus');
promtool(['test', 'rules', 'alerts.test.yml'], 'deploy/prometheus');

const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboard.json', 'utf8'));
const queries = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target, index) => ({ panel: panel.title, index, expr: target.expr })),
);
if (queries.length === 0) throw new Error('the dashboard has no queries');
const rules = {
  groups: [
    {
      name: 'dashboard-queries',
      rules: queries.map(({ expr }, index) => ({ record: `dashboard:query:${index}`, expr })),
    },
  ],
};
const dir = mkdtempSync(path.join(tmpdir(), 'tcs-dashboard-'));
try {
  // JSON is YAML, which promtool reads.
  writeFileSync(path.join(dir, 'dashboard-queries.yml'), JSON.stringify(rules, null, 2));
  promtool(['check', 'rules', 'dashboard-queries.yml'], dir);
  console.log(`dashboard: ${queries.length} queries in ${dashboard.panels.length} panels are valid PromQL`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
