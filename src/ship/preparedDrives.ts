/**
 * How many drives were prepared for a job, read from the copy journal
 * (`<staging>/.diskprep/journal/<job>/copy-state.json`, written by the copy engine). Only the
 * drive records' `complete` flags are read; the BitLocker keys in the same file are not needed
 * here and never leave this function.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { journalDir } from '../staging/layout.ts';

const CopyStateDrivesSchema = z.object({
  drives: z.array(z.object({ driveId: z.string(), complete: z.boolean() })),
});

/**
 * The number of complete drives in the job's journal; undefined when there is no journal (the
 * drives were prepared elsewhere) or it cannot be read.
 */
export async function countPreparedDrives(
  deps: Pick<Deps, 'fs'>,
  staging: string,
  job: string,
): Promise<number | undefined> {
  try {
    const text = await deps.fs.readFile(
      path.join(journalDir(staging, job), 'copy-state.json'),
      'utf8',
    );
    const parsed = CopyStateDrivesSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const n = parsed.data.drives.filter((d) => d.complete).length;
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
