import { Writable } from 'node:stream';
import type { LogLevel } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';

/** A real logger (redaction and scrubbing included) writing into memory: the lines as written, and parsed. */
export function captureLogs(level: LogLevel = 'trace', secrets: string[] = []) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level, destination, secrets });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}
