/**
 * The rules of the drive manifest as the datacenter parses it ("Azure Import/Export service
 * manifest file format", 2014-11-01; reference/azure-importexport.md §2.1), checked on a
 * written manifest by `verify`:
 * - the credential: a classic job's manifest has exactly one `<StorageAccountKey>` or
 *   `<ContainerSas>`; a `<ContainerSas>` is `<container>?<SAS token>` (the Put Job form); the
 *   other services read neither ({@link manifestCarriesCredential});
 * - every `<Blob>` has `<ImportDisposition>` (`rename`, `no-overwrite` or `overwrite`; when it
 *   is absent the service renames on a clash), the one the job's journal recorded;
 * - a blob's children come in the documented order ({@link BLOB_ELEMENT_ORDER});
 * - `<BlobPath>` starts with the job's container (and the SAS's), and a blob in `$root` has no
 *   "/" in its name.
 * Violations never quote a secret.
 */
import type { Deps } from '../deps/types.ts';
import { plural, withArticle } from '../format.ts';
import { readJobDescriptor } from '../journal/jobs.ts';
import { ROOT_CONTAINER, rootContainerProblem } from '../model/names.ts';
import { type Disposition, DISPOSITIONS, type ServiceKind } from '../model/job.ts';
import { containerSasFormProblem } from '../model/containerSas.ts';
import { readCopyState } from '../journal/copyState.ts';
import { manifestCarriesCredential } from './manifest.ts';
import { MANIFEST_NAME } from '../model/names.ts';
import { type ManifestEntry, openManifest } from './readManifest.ts';
import type { Mismatch } from './verifyDrive.ts';

/**
 * The children of `<Blob>` in the order the format lists them; `[x]` optional there. Page
 * range and block lists share a place (one or the other).
 */
export const BLOB_ELEMENT_ORDER: readonly (readonly string[])[] = [
  ['BlobPath'],
  ['FilePath'],
  ['ClientData'],
  ['Snapshot'],
  ['Length'],
  ['ImportDisposition'],
  ['PageRangeList', 'BlockList'],
  ['MetadataPath'],
  ['PropertiesPath'],
];
const REQUIRED = ['BlobPath', 'FilePath', 'Length'];

/** What is known of the job a manifest belongs to (nothing: only the format's rules apply). */
export interface ManifestRuleContext {
  service?: ServiceKind;
  container?: string;
  /** The disposition the job's journal recorded for its copy. */
  disposition?: Disposition;
}

/** One broken rule: where, what the format wants, what the manifest has. */
export interface RuleViolation {
  /** `\DriveManifest.xml` for the drive part, else the blob's FilePath. */
  file: string;
  expected: string;
  actual: string;
}

/** At most this many violations are listed per manifest; the rest are counted. */
export const MAX_LISTED_VIOLATIONS = 50;

/** The rules of the manifest's part before its first `<BlobList>`. */
export function headViolations(head: string, ctx: ManifestRuleContext): RuleViolation[] {
  const file = `\\${MANIFEST_NAME}`;
  const out: RuleViolation[] = [];
  const keys = elementTexts(head, 'StorageAccountKey');
  const sases = elementTexts(head, 'ContainerSas');
  const found = [...keys.map(() => 'StorageAccountKey'), ...sases.map(() => 'ContainerSas')];
  if (ctx.service !== undefined && !manifestCarriesCredential(ctx.service)) {
    if (found.length > 0) {
      out.push({
        file,
        expected: `no StorageAccountKey or ContainerSas (${withArticle(ctx.service)} job's service is given the storage account by the job)`,
        actual: found.join(', '),
      });
    }
  } else if (found.length > 1 || (ctx.service === 'classic' && found.length === 0)) {
    out.push({
      file,
      expected: 'exactly one StorageAccountKey or ContainerSas',
      actual: found.length === 0 ? 'none' : found.join(', '),
    });
  }
  for (const sas of sases) {
    const problem = containerSasFormProblem(sas, ctx.container);
    if (problem) {
      out.push({
        file,
        expected: `ContainerSas "${ctx.container ?? '<container>'}?<SAS token>"`,
        actual: problem,
      });
    }
  }
  return out;
}

/**
 * The rules of one `<Blob>`. `sasContainer` is the container the manifest's SAS names, when it
 * has one (a SAS opens only its container).
 */
export function blobViolations(
  blob: ManifestEntry,
  ctx: ManifestRuleContext,
  sasContainer?: string,
): RuleViolation[] {
  const out: RuleViolation[] = [];
  const bad = (expected: string, actual: string): void => {
    out.push({ file: blob.filePath, expected, actual });
  };
  const orderProblem = elementOrderProblem(blob.elements);
  if (orderProblem) bad(`Blob children in the format's order (${orderText()})`, orderProblem);
  if (blob.disposition === undefined) {
    bad(
      `ImportDisposition (${DISPOSITIONS.join(' | ')}) on every blob`,
      'none (the service then renames the blob on a name clash)',
    );
  } else if (!(DISPOSITIONS as readonly string[]).includes(blob.disposition)) {
    bad(`ImportDisposition ${DISPOSITIONS.join(' | ')}`, `"${blob.disposition}"`);
  } else if (ctx.disposition !== undefined && blob.disposition !== ctx.disposition) {
    bad(`ImportDisposition ${ctx.disposition} (recorded in the job's journal)`, blob.disposition);
  }
  const slash = blob.blobPath.indexOf('/');
  const container = slash > 0 ? blob.blobPath.slice(0, slash) : undefined;
  const name = slash > 0 ? blob.blobPath.slice(slash + 1) : '';
  if (container === undefined || name === '') {
    bad('BlobPath "<container>/<blob name>"', `"${blob.blobPath}"`);
    return out;
  }
  if (ctx.container !== undefined && container !== ctx.container)
    bad(`BlobPath in the job's container ${ctx.container}`, `"${blob.blobPath}"`);
  else if (sasContainer !== undefined && container !== sasContainer)
    bad(`BlobPath in the SAS's container ${sasContainer}`, `"${blob.blobPath}"`);
  if (container === ROOT_CONTAINER && rootContainerProblem(container, name))
    bad('a blob name without "/" in the root container ($root)', `"${blob.blobPath}"`);
  return out;
}

/**
 * Streams the manifest at `manifestFile` and returns every broken rule as a verify mismatch
 * (`problem: 'manifest-rule'`), the first {@link MAX_LISTED_VIOLATIONS} of them and then one
 * that counts the rest.
 */
export async function checkManifestRules(
  target: string,
  manifestFile: string,
  ctx: ManifestRuleContext = {},
): Promise<Mismatch[]> {
  const manifest = await openManifest(manifestFile);
  const checker = manifestRuleChecker(manifest.head, ctx);
  for await (const blob of manifest.blobs) checker.blob(blob);
  return checker.mismatches(target);
}

/** The rules checked blob by blob, so a pass that already streams the manifest needs no second. */
export interface ManifestRuleChecker {
  blob(blob: ManifestEntry): void;
  /** Every broken rule seen, as verify mismatches (see {@link checkManifestRules}). */
  mismatches(target: string): Mismatch[];
}

/** A {@link ManifestRuleChecker} for the manifest whose head (text before the blobs) is `head`. */
export function manifestRuleChecker(
  head: string,
  ctx: ManifestRuleContext = {},
): ManifestRuleChecker {
  const found: RuleViolation[] = headViolations(head, ctx);
  const sas = elementTexts(head, 'ContainerSas')[0];
  const q = sas?.indexOf('?') ?? -1;
  const sasContainer = sas !== undefined && q > 0 ? sas.slice(0, q) : undefined;
  let more = 0;
  return {
    blob(blob) {
      for (const v of blobViolations(blob, ctx, sasContainer)) {
        if (found.length < MAX_LISTED_VIOLATIONS) found.push(v);
        else more++;
      }
    },
    mismatches(target) {
      const all = [...found];
      if (more > 0) {
        all.push({
          file: `\\${MANIFEST_NAME}`,
          expected: 'the rules above',
          actual: `${more} more ${plural(more, 'violation')} not listed`,
        });
      }
      return all.map((v) => ({ target, problem: 'manifest-rule', ...v }));
    },
  };
}

/**
 * What the jobs of a staging location say about the drives they prepared: driveId → the job's
 * service, container and the disposition its journal recorded.
 */
export async function manifestRuleContexts(
  deps: Deps,
  staging: string,
  jobs: readonly string[],
): Promise<Map<string, ManifestRuleContext>> {
  const contexts = new Map<string, ManifestRuleContext>();
  for (const name of jobs) {
    const state = await readCopyState(deps, staging, name);
    if (!state) continue;
    const job = await readJobDescriptor(deps.fs, staging, name);
    const ctx: ManifestRuleContext = {
      service: job.service,
      container: job.container,
      // A journal from before dispositions were recorded: the blobs have none to compare.
      ...(state.disposition !== undefined ? { disposition: state.disposition } : {}),
    };
    for (const d of state.drives) contexts.set(d.driveId, ctx);
  }
  return contexts;
}

/** Why the children of a `<Blob>` break the format's order, or undefined. */
export function elementOrderProblem(elements: readonly string[]): string | undefined {
  let at = -1;
  for (const name of elements) {
    const slot = BLOB_ELEMENT_ORDER.findIndex((names) => names.includes(name));
    if (slot < 0) return `unknown element ${name}`;
    if (slot === at) return `${name} repeated (or both PageRangeList and BlockList)`;
    if (slot < at) return `${name} after ${BLOB_ELEMENT_ORDER[at]!.join('/')}`;
    at = slot;
  }
  const missing = REQUIRED.filter((r) => !elements.includes(r));
  return missing.length > 0 ? `no ${missing.join(', ')}` : undefined;
}

function orderText(): string {
  return BLOB_ELEMENT_ORDER.map((names) => names.join('|')).join(', ');
}

/** Unescaped texts of every `<name>…</name>` in `xml`. */
function elementTexts(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`, 'g');
  return [...xml.matchAll(re)].map((m) => unescapeXml(m[1]!));
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e]!;
  });
}
