/**
 * Reads one of diskprep's own JSON files (journal records, secrets, job descriptors, the local
 * job list) through the zod schema its writer uses: absent is `undefined`; anything else that is
 * not a valid file (not a regular file, too big, not JSON, a field that breaks the writer's
 * rules) is one usage error naming the file and the field.
 */
import type * as fsPromises from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { printableExcerpt } from './inputText.ts';
import { READ_LIMITS, readBoundedFile } from './readBoundedFile.ts';

/** How a file is named in errors and what to do about a bad one. */
export interface JsonFileDescription {
  /** What the file is: `the copy journal`, `job descriptor`... (the message adds the path). */
  what: string;
  /** The fix for a damaged file. */
  hint: string;
  /** Largest size accepted (default {@link READ_LIMITS.smallFile}). */
  maxBytes?: number;
}

/**
 * A string field checked by one of diskprep's `...Problem(value)` rules (the function the
 * writer's input checks use), so a schema applies the same rule to what it reads back.
 */
export function stringByRule(problem: (value: string) => string | undefined): z.ZodString {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
}

/** `drives.0.driveId` for an issue path (`(root)` for the whole document). */
function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(the whole file)' : issue.path.map(String).join('.');
}

/**
 * The usage error for a file whose content breaks `schema`: the first issue's field and message.
 */
export function invalidJsonError(
  file: string,
  d: JsonFileDescription,
  error: z.ZodError,
): UsageError {
  const issue = error.issues[0];
  const where = issue ? `${fieldOf(issue)}: ${printableExcerpt(issue.message)}` : 'unknown problem';
  return new UsageError(`${d.what} ${file} is invalid: ${where}`, { hint: d.hint });
}

/** The file's parsed content, or undefined when it does not exist. */
export async function readJsonFile<S extends z.ZodType>(
  fs: typeof fsPromises,
  file: string,
  schema: S,
  d: JsonFileDescription,
): Promise<z.output<S> | undefined> {
  const bytes = await readBoundedFile(fs, file, {
    what: d.what,
    maxBytes: d.maxBytes ?? READ_LIMITS.smallFile,
    hint: d.hint,
  });
  if (bytes === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    // V8's message quotes a stretch of the text: keep it short and printable.
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${d.what} ${file} is not valid JSON: ${printableExcerpt(reason)}`, {
      hint: d.hint,
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw invalidJsonError(file, d, parsed.error);
  return parsed.data;
}
