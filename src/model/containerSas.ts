/**
 * The container SAS as the Import/Export service takes it. The manifest's `<ContainerSas>` and
 * the classic Put Job's `ContainerSas` have one form: "the container name, followed by a
 * question mark (?) and the SAS token" (manifest file format, 2014-11-01: `ContainerSas` — "see
 * Put Job for its format"; WAImportExport `/csas:<container>?<sas>`). diskprep keeps the bare
 * token (no `?`) in the job's secrets, the form @azure/storage-blob appends to a URL, and builds
 * the service's form with {@link containerSasValue}, the one place that does.
 *
 * No SDK import here: the staging code reads secrets on every command.
 */
import { count, plural } from '../format.ts';
import { containerProblem } from './names.ts';

/** A container SAS as the operator gave it, split. */
export interface ParsedContainerSas {
  /** The container named in front of the `?` (or in a URL's path), when one was given. */
  container?: string;
  /** The SAS token: the query string without the leading `?`. */
  token: string;
}

/**
 * Splits `container?sv=…&sig=…`, `?sv=…`, `sv=…` or a container URL with its query. The
 * container part is URL-decoded (`%24root` → `$root`); nothing is validated here.
 */
export function parseContainerSas(input: string): ParsedContainerSas {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      const segments = url.pathname.split('/').filter((s) => s !== '');
      const last = segments.at(-1);
      return {
        ...(last !== undefined ? { container: safeDecode(last) } : {}),
        token: url.search.replace(/^\?/, ''),
      };
    } catch {
      // not a URL after all: read it as text below
    }
  }
  const q = text.indexOf('?');
  if (q < 0) return { token: text };
  if (q === 0) return { token: text.slice(1) };
  return { container: safeDecode(text.slice(0, q)), token: text.slice(q + 1) };
}

/** `<container>?<token>`: the value of `<ContainerSas>` and of the classic Put Job's `ContainerSas`. */
export function containerSasValue(container: string, token: string): string {
  return `${container}?${parseContainerSas(token).token}`;
}

/** The import permissions a SAS must grant (WAImportExport `/csas:`: "import needs r,w,d"). */
export const SAS_IMPORT_PERMISSIONS = ['r', 'w', 'd'] as const;

/**
 * Why `value` is not a well-formed `<ContainerSas>` (`<container>?<token>` with `sv` and `sig`),
 * or undefined. `container`, when known, is the one it must name. The answer never quotes the
 * token: it is a secret.
 */
export function containerSasFormProblem(value: string, container?: string): string | undefined {
  const q = value.indexOf('?');
  if (q <= 0) return 'a bare SAS token, without "<container>?" in front';
  const named = value.slice(0, q);
  if (containerProblem(named)) return `"${named}" in front of "?" is not a container name`;
  if (container !== undefined && named !== container)
    return `it names container "${named}", not the job's "${container}"`;
  return tokenProblem(value.slice(q + 1));
}

/** Why `token` is not a SAS token (it lacks `sv=` or `sig=`), or undefined. */
export function tokenProblem(token: string): string | undefined {
  const q = new URLSearchParams(token);
  if (!q.get('sv') || !q.get('sig')) return 'the SAS token has no sv= and sig=';
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A classic job's SAS must outlive the import: up to two weeks to ship, then the datacenter's
 * copy (days to weeks), with a margin. Below this many days from now it is refused.
 */
export const SAS_MIN_DAYS = 60;
const DAY_MS = 86_400_000;

/** Why a SAS cannot serve (the words after "the SAS ...") and the fix. */
export interface SasUseProblem {
  problem: string;
  hint: string;
}

/**
 * Why the container SAS `token` cannot serve a job: expired; and when the drive manifest
 * carries it to the datacenter (`carried`), valid for less than {@link SAS_MIN_DAYS} days or
 * without read, write and delete. Undefined when it serves. `init` and `prepare` both ask it.
 */
export function sasUseProblem(
  token: string,
  now: Date,
  carried: boolean,
): SasUseProblem | undefined {
  const q = new URLSearchParams(token);
  const se = q.get('se');
  const expires = se ? Date.parse(se) : Number.NaN;
  const t = now.getTime();
  if (!Number.isNaN(expires) && expires < t)
    return {
      problem: `expired at ${se}`,
      hint: 'make a new SAS that lasts until the import job completes',
    };
  if (!carried) return undefined;
  if (!Number.isNaN(expires) && expires < t + SAS_MIN_DAYS * DAY_MS)
    return {
      problem: `expires at ${se}, in ${count(Math.floor((expires - t) / DAY_MS), 'day')}: the datacenter uses it until the import completes`,
      hint: `make a SAS valid for at least ${SAS_MIN_DAYS} days (two weeks to ship, then the copy at the datacenter)`,
    };
  const sp = q.get('sp');
  const missing = sp === null ? [] : SAS_IMPORT_PERMISSIONS.filter((p) => !sp.includes(p));
  if (missing.length > 0)
    return {
      problem: `lacks the ${plural(missing.length, 'permission')} ${missing.join(', ')} that an import needs (it has sp=${sp})`,
      hint: 'make a container SAS with read, write and delete permissions (sp=rwdl)',
    };
  return undefined;
}
