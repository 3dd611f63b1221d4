import { randomBytes } from 'node:crypto';
import { link, rm } from 'node:fs/promises';
import { AppError } from '../../shared/errors.js';

/**
 * Creates `output` from what `write` puts in a private temporary file next to it, all at once: readers never
 * see half a backup under the final name, an existing file is never replaced (a hard link fails where a
 * rename would overwrite), and nothing is left behind on failure.
 */
export async function publishNewFile(
  output: string,
  write: (temporaryPath: string) => Promise<void>,
): Promise<void> {
  const temporary = `${output}.partial-${randomBytes(6).toString('hex')}`;
  try {
    await write(temporary);
    await link(temporary, output);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AppError('backup.outputExists', `${output} already exists; backups are never overwritten.`);
    }
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}
