/**
 * Reads a drive manifest as a stream: the drive id from its head, then one `<Blob>` element at
 * a time (each parsed with fast-xml-parser), so a manifest of a million files is read in
 * constant memory.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { XMLParser } from 'fast-xml-parser';
import { UsageError } from '../errors.ts';
import { childElementNames } from './xml.ts';

/** One range of a manifest blob. */
export interface ManifestRange {
  offset: number;
  length: number;
  /** Uppercase hex MD5 as listed. */
  hash: string;
  /** Block id, for blocks. */
  id?: string;
}

/** One `<Blob>` of a manifest. */
export interface ManifestEntry {
  blobPath: string;
  filePath: string;
  length: number;
  kind: 'block' | 'page';
  ranges: ManifestRange[];
  /** `<ImportDisposition>` as written (undefined when absent). */
  disposition?: string;
  /** Names of the `<Blob>`'s child elements in document order (manifestRules.ts checks them). */
  elements: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'Block' || name === 'PageRange',
});

function asEntry(xml: string, file: string): ManifestEntry {
  const doc = parser.parse(xml) as { Blob?: Record<string, unknown> };
  const b = doc.Blob;
  if (!b || typeof b.FilePath !== 'string' || b.Length === undefined) {
    throw new UsageError(`${file} holds a <Blob> without FilePath or Length`, {
      hint: 'the manifest is damaged: prepare the drive again',
    });
  }
  const list = (b.BlockList ?? b.PageRangeList) as Record<string, unknown> | '' | undefined;
  const kind: 'block' | 'page' = b.PageRangeList !== undefined ? 'page' : 'block';
  const raw = (
    list && typeof list === 'object' ? (list.Block ?? list.PageRange ?? []) : []
  ) as Record<string, string>[];
  return {
    blobPath: typeof b.BlobPath === 'string' ? b.BlobPath : '',
    filePath: b.FilePath,
    length: Number(b.Length),
    kind,
    ranges: raw.map((r) => ({
      offset: Number(r.Offset),
      length: Number(r.Length),
      hash: String(r.Hash ?? ''),
      ...(r.Id !== undefined ? { id: r.Id } : {}),
    })),
    ...(b.ImportDisposition !== undefined
      ? { disposition: typeof b.ImportDisposition === 'string' ? b.ImportDisposition : '' }
      : {}),
    elements: childElementNames(xml),
  };
}

/** A manifest opened for streaming. */
export interface ManifestStream {
  driveId: string;
  /** The text before the first `<BlobList>` (holds the credential element: a secret). */
  head: string;
  blobs: AsyncGenerator<ManifestEntry>;
}

/**
 * Opens `file` and reads its head (up to the first blob) for the drive id. `source` gives the
 * bytes instead of the file (a manifest rebuilt from the journal); `file` then only names it.
 */
export async function openManifest(
  file: string,
  source?: AsyncIterable<Buffer>,
): Promise<ManifestStream> {
  const stream = source ? undefined : fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  const decoder = new StringDecoder('utf8');
  const it = (source ?? stream!)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const close = (): void => {
    stream?.destroy();
    it.return?.().catch(() => undefined);
  };
  let text = '';
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done) {
      text += decoder.end();
      eof = true;
      return text.length > 0;
    }
    text += decoder.write(r.value);
    return true;
  };
  while (!/<BlobList[\s>/]/.test(text) && (await more()));
  const m = /<DriveId>([^<]*)<\/DriveId>/.exec(text);
  if (!/<DriveManifest[\s>]/.test(text) || !m) {
    close();
    throw new UsageError(`${file} is not a drive manifest (no DriveManifest / DriveId)`, {
      hint: 'give the root of a prepared drive',
    });
  }
  const driveId = m[1]!;
  const listAt = text.search(/<BlobList[\s>/]/);
  const head = listAt < 0 ? text : text.slice(0, listAt);
  async function* blobs(): AsyncGenerator<ManifestEntry> {
    try {
      let sawEnd = false;
      for (;;) {
        const start = text.indexOf('<Blob>');
        const end = start >= 0 ? text.indexOf('</Blob>', start) : -1;
        if (start >= 0 && end >= 0) {
          yield asEntry(text.slice(start, end + '</Blob>'.length), file);
          text = text.slice(end + '</Blob>'.length);
          continue;
        }
        if (text.includes('</DriveManifest>')) sawEnd = true;
        if (!(await more())) break;
      }
      if (!sawEnd && !text.includes('</DriveManifest>')) {
        throw new UsageError(`${file} ends early (no </DriveManifest>)`, {
          hint: 'the manifest is truncated: prepare the drive again',
        });
      }
    } finally {
      close();
    }
  }
  return { driveId, head, blobs: blobs() };
}
