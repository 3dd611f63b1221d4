// What the monitoring files and the metrics catalogue name, to check against what a running bot exports.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from './botProcess.js';

/** Series names of our own and of prom-client's process metrics; `up` and recording rules (a:b) are not. */
const METRIC_NAME = /\b(?:tcs|process|nodejs)_[a-zA-Z0-9_]+/g;
const HISTOGRAM_SERIES = /_(?:bucket|sum|count)$/;

function read(relativePath: string): string {
  return readFileSync(`${PROJECT_ROOT}/${relativePath}`, 'utf8');
}

/** Metric families a /metrics text exposition declares (`# TYPE <name> <type>`). */
export function exportedMetricFamilies(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]!));
}

/** The family a series name belongs to: itself, or a histogram's name without _bucket/_sum/_count. */
export function familyOf(series: string, exported: ReadonlySet<string>): string {
  if (exported.has(series)) return series;
  const base = series.replace(HISTOGRAM_SERIES, '');
  return exported.has(base) ? base : series;
}

export function metricsNamedByDashboard(): string[] {
  const dashboard = JSON.parse(read('deploy/grafana/dashboard.json')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  return [...new Set(exprs.flatMap((expr) => expr.match(METRIC_NAME) ?? []))];
}

export function metricsNamedByAlertRules(): string[] {
  const rules = parseYaml(read('deploy/prometheus/alerts.yml')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  const exprs = rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
  return [...new Set(exprs.flatMap((expr) => expr.match(METRIC_NAME) ?? []))];
}

/** `tcs_` metric names docs/metrics.md lists (in backticks, optionally with a {label="value"} selector). */
export function metricsInCatalogue(): Set<string> {
  return new Set([...read('docs/metrics.md').matchAll(/`(tcs_[a-z0-9_]+)/g)].map((match) => match[1]!));
}
