/**
 * Reads drive manifests (`DriveManifest Version="2014-11-01"`, reference/azure-importexport.md
 * §2.1) into the blobs an import must produce: name, length, and the whole-blob MD5 where the
 * manifest gives it (a blob described by one block or page range covering all of it).
 */
import { XMLParser } from 'fast-xml-parser';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { invalidFileError, parseWholeNumber } from '../fsutil/inputText.ts';
import { readBoundedFile } from '../fsutil/readBoundedFile.ts';
import { parseXmlInput } from '../fsutil/xmlInput.ts';

/** Manifests are read whole here: 512 MiB is about a million files. */
const WHOLE_MAX = 512 * 1024 * 1024;

/** One blob a manifest promises. */
export interface ExpectedBlob {
  /** `container/path/name` as in `<BlobPath>`. */
  blobPath: string;
  length: number;
  /** Hex MD5 of the whole blob, when the manifest implies it. */
  md5?: string;
  driveId: string;
  manifest: string;
}

const asArray = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

interface RangeXml {
  '@_Offset'?: string;
  '@_Length'?: string;
  '@_Hash'?: string;
}

/** Parses one manifest's text. */
export function parseManifest(xml: string, manifest: string): ExpectedBlob[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (n) => ['BlobList', 'Blob', 'Block', 'PageRange'].includes(n),
  });
  const doc = parseXmlInput(parser, xml, { file: manifest, what: 'drive manifest' }) as {
    DriveManifest?: { Drive?: { DriveId?: string; BlobList?: { Blob?: unknown[] }[] } };
  };
  const drive = doc.DriveManifest?.Drive;
  if (!drive) throw new UsageError(`${manifest} is not a drive manifest (no DriveManifest/Drive)`);
  const driveId = String(drive.DriveId ?? '');
  const out: ExpectedBlob[] = [];
  for (const list of asArray(drive.BlobList)) {
    for (const b of asArray(list.Blob) as Record<string, unknown>[]) {
      const length = parseWholeNumber(b.Length);
      if (length === undefined) {
        throw invalidFileError(manifest, 'drive manifest', 'a <Blob> Length is not a whole number');
      }
      const ranges = [
        ...asArray((b.BlockList as { Block?: RangeXml[] } | undefined)?.Block),
        ...asArray((b.PageRangeList as { PageRange?: RangeXml[] } | undefined)?.PageRange),
      ];
      const whole =
        ranges.length === 1 &&
        Number(ranges[0]!['@_Offset']) === 0 &&
        Number(ranges[0]!['@_Length']) === length
          ? ranges[0]!['@_Hash']?.toLowerCase()
          : undefined;
      out.push({
        blobPath: String(b.BlobPath),
        length,
        ...(whole ? { md5: whole } : {}),
        driveId,
        manifest,
      });
    }
  }
  return out;
}

/** Reads and parses manifests from files. */
export async function readManifests(
  fs: Deps['fs'],
  files: readonly string[],
): Promise<ExpectedBlob[]> {
  const all: ExpectedBlob[] = [];
  for (const f of files) {
    const bytes = await readBoundedFile(fs, f, { what: 'drive manifest', maxBytes: WHOLE_MAX });
    if (!bytes) throw new UsageError(`drive manifest ${f} not found`, { hint: 'check the path' });
    all.push(...parseManifest(bytes.toString('utf8'), f));
  }
  return all;
}
