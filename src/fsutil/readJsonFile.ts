/**
 * Reads one of diskprep's own JSON files (journal records, secrets) through a zod schema: absent
 * is `undefined`, unreadable JSON or the wrong shape is one usage error naming the file and what
 * to do.
 */
import type * as fsPromises from 'node:fs/promises';
import type { z } from 'zod';
import { UsageError } from '../errors.ts';

/** The file's parsed content, or undefined when it does not exist. */
export async function readJsonFile<S extends z.ZodType>(
  fs: typeof fsPromises,
  file: string,
  schema: S,
  damaged: { message: string; hint: string },
): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed;
  try {
    parsed = schema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) throw new UsageError(damaged.message, { hint: damaged.hint });
  return parsed.data;
}
