import { badRequest } from './http.js';

/** Parses `first` the way Helix does: an integer in 1..max, default `fallback`. */
export function parseFirst(params: URLSearchParams, fallback = 20, max = 100): number {
  const raw = params.get('first');
  if (raw === null) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw badRequest('The parameter "first" was malformed: the value must be an integer');
  }
  if (value < 1) {
    throw badRequest('The parameter "first" was malformed: the value must be greater than or equal to 1');
  }
  if (value > max) {
    throw badRequest(`The parameter "first" was malformed: the value must be less than or equal to ${max}`);
  }
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Parses an RFC3339 timestamp parameter; null when absent, 400 when malformed. */
export function parseRfc3339(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    return null;
  }
  const ms = Date.parse(raw);
  if (!RFC3339.test(raw) || !Number.isFinite(ms)) {
    throw badRequest(
      `The parameter "${name}" was malformed: the value must be a timestamp in RFC3339 format`,
    );
  }
  return ms;
}

export function parseBoolean(params: URLSearchParams, name: string): boolean | null {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    return null;
  }
  if (raw !== 'true' && raw !== 'false') {
    throw badRequest(`The parameter "${name}" was malformed: the value must be a boolean`);
  }
  return raw === 'true';
}

/** Repeated parameter values (`id=1&id=2`), limited to `max` in total. */
export function getAllLimited(params: URLSearchParams, name: string, max = 100): string[] {
  const values = params.getAll(name).filter((v) => v !== '');
  if (values.length > max) {
    throw badRequest(
      `The parameter "${name}" was malformed: the number of values must be less than or equal to ${max}`,
    );
  }
  return values;
}
