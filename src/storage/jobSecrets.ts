/**
 * A job's storage secrets (`<journal>/secrets.json`, mode 0600): read, validated, registered
 * with the redactor the moment they are read.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { type JobSecrets, JobSecretsSchema } from '../staging/types.ts';

/** Reads `<journalDir>/secrets.json`; {} when there is none. */
export async function readJobSecrets(
  deps: Pick<Deps, 'fs' | 'redactor'>,
  journalDir: string,
): Promise<JobSecrets> {
  const file = path.join(journalDir, 'secrets.json');
  let text: string;
  try {
    text = await deps.fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not valid JSON`, {
      hint: 'record the storage key again with diskprep init --force',
    });
  }
  const parsed = JobSecretsSchema.safeParse(data);
  if (!parsed.success)
    throw new UsageError(`${file} is invalid`, {
      hint: 'record the storage key again with diskprep init --force',
    });
  deps.redactor.add(parsed.data.storageAccountKey);
  deps.redactor.add(parsed.data.containerSas);
  return parsed.data;
}

/** The credential for @azure/storage-blob, or undefined when the job has none. */
export function storageCredential(
  secrets: JobSecrets,
): { accountKey: string } | { sas: string } | undefined {
  if (secrets.storageAccountKey) return { accountKey: secrets.storageAccountKey };
  if (secrets.containerSas) return { sas: secrets.containerSas };
  return undefined;
}
