/**
 * Reads a drive manifest as a stream: the drive id from its head, then one `<Blob>` element at
 * a time (each parsed with fast-xml-parser), so a manifest of a million files is read in
 * constant memory.
 *
 * A manifest is read back from a drive, so it is untrusted input: only a regular file is read
 * (src/fsutil/readBoundedFile.ts), the head and each element are bounded in size, every element
 * passes the XML checks of src/fsutil/xmlInput.ts, and every field is checked by the rules the
 * writer (src/engine/manifest.ts) follows before it is used: whole numbers for lengths and
 * offsets, hex hashes, and file paths that stay below the drive root.
 */
import type * as fsPromises from 'node:fs/promises';
import fsp from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { XMLParser } from 'fast-xml-parser';
import { UsageError } from '../errors.ts';
import { childElementNames } from './xml.ts';
import { invalidFileError, parseWholeNumber, printableExcerpt } from '../fsutil/inputText.ts';
import { openRegularFile, READ_LIMITS } from '../fsutil/readBoundedFile.ts';
import { parseXmlInput } from '../fsutil/xmlInput.ts';
import { recordedDriveIdProblem } from '../model/driveId.ts';

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

/** Everything before `<BlobList>` is a few hundred bytes; more than this is not a manifest. */
const HEAD_MAX = 1024 * 1024;
/**
 * Longest `<Blob>` element: a 1 TiB page blob has 262,144 ranges of ~90 bytes (24 MiB); a
 * block blob at most 50,000 blocks.
 */
const BLOB_MAX = 64 * 1024 * 1024;

const WHAT = 'drive manifest';
const HINT = "the manifest is damaged or not diskprep's: prepare the drive again";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'Block' || name === 'PageRange',
});

/** Counts `\n` in `text` (line numbers for errors). */
function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Why a `<FilePath>` cannot be a file below the drive root, or undefined. */
function filePathProblem(p: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (!p.startsWith('\\') || /[/\u0000-\u001f]/.test(p) || p.length > 32_767)
    return 'is not a path below the drive root (\\session\\...)';
  const segs = p.slice(1).split('\\');
  if (segs.some((s) => s === '' || s === '.' || s === '..'))
    return 'has an empty, "." or ".." segment';
  return undefined;
}

/** A field's value, short and printable, for an error. */
function shown(v: unknown): string {
  return printableExcerpt(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 20);
}

function asEntry(doc: unknown, xml: string, bad: (reason: string) => UsageError): ManifestEntry {
  const b = (doc as { Blob?: unknown }).Blob as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object') throw bad('<Blob> is empty');
  const { BlobPath: blobPath, FilePath: filePath } = b;
  if (typeof filePath !== 'string') throw bad('<Blob> has no FilePath');
  const fileProblem = filePathProblem(filePath);
  if (fileProblem) throw bad(`FilePath "${printableExcerpt(filePath, 40)}" ${fileProblem}`);
  // eslint-disable-next-line no-control-regex
  if (typeof blobPath !== 'string' || !/^[^\u0000-\u001f]{1,2048}$/.test(blobPath))
    throw bad(`BlobPath of ${printableExcerpt(filePath, 40)} is missing or not a blob name`);
  const length = parseWholeNumber(b.Length);
  if (length === undefined) throw bad(`Length "${shown(b.Length)}" is not a whole number`);
  const hasBlocks = b.BlockList !== undefined;
  if (hasBlocks === (b.PageRangeList !== undefined))
    throw bad(`<Blob> of ${printableExcerpt(filePath, 40)} needs one BlockList or PageRangeList`);
  const kind: 'block' | 'page' = hasBlocks ? 'block' : 'page';
  const list = (hasBlocks ? b.BlockList : b.PageRangeList) as Record<string, unknown> | '';
  const raw = list === '' ? [] : ((hasBlocks ? list.Block : list.PageRange) ?? []);
  if (!Array.isArray(raw)) throw bad(`the ${kind} list of ${printableExcerpt(filePath, 40)}`);
  const ranges = raw.map((r: Record<string, unknown>): ManifestRange => {
    if (typeof r !== 'object') throw bad(`a ${kind} without attributes`);
    const offset = parseWholeNumber(r.Offset);
    const len = parseWholeNumber(r.Length);
    if (offset === undefined)
      throw bad(`${kind} Offset "${shown(r.Offset)}" is not a whole number`);
    if (len === undefined) throw bad(`${kind} Length "${shown(r.Length)}" is not a whole number`);
    if (typeof r.Hash !== 'string' || !/^[0-9A-Fa-f]{32}$/.test(r.Hash))
      throw bad(`${kind} Hash "${shown(r.Hash)}" is not an MD5 in hex`);
    if (r.Id !== undefined && (typeof r.Id !== 'string' || r.Id.length > 128))
      throw bad(`block Id "${shown(r.Id)}" is not a block id`);
    return { offset, length: len, hash: r.Hash, ...(r.Id !== undefined ? { id: r.Id } : {}) };
  });
  const disposition = b.ImportDisposition;
  return {
    blobPath,
    filePath,
    length,
    kind,
    ranges,
    ...(disposition !== undefined
      ? { disposition: typeof disposition === 'string' ? disposition : '' }
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

/** Opens a manifest file: a regular file within the size limit, else one-line exit 2. */
async function openManifestFile(fs: typeof fsPromises, file: string) {
  const opened = await openRegularFile(fs, file, {
    what: WHAT,
    maxBytes: READ_LIMITS.manifest,
    hint: 'give the root of a prepared drive',
  });
  if (!opened) {
    throw new UsageError(`no drive manifest at ${file}`, {
      hint: 'give the root of a prepared drive',
    });
  }
  return opened.handle.createReadStream({ highWaterMark: 1024 * 1024 });
}

/** What the text after the last `</Blob>` must be. */
const FOOTER = /^\s*<\/BlobList>\s*<\/Drive>\s*<\/DriveManifest>\s*$/;

/**
 * Opens `file` and reads its head (up to the first blob) for the drive id. `source` gives the
 * bytes instead of the file (a manifest rebuilt from the journal); `file` then only names it.
 *
 * @throws UsageError (exit 2) when it is not a regular file, or its head is not a manifest's;
 *   the blob generator throws the same for a damaged element, naming its line
 */
export async function openManifest(
  file: string,
  source?: AsyncIterable<Buffer>,
  fs: typeof fsPromises = fsp,
): Promise<ManifestStream> {
  const stream = source ? undefined : await openManifestFile(fs, file);
  const decoder = new StringDecoder('utf8');
  const it = (source ?? stream!)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const close = (): void => {
    stream?.destroy();
    it.return?.().catch(() => undefined);
  };
  let text = '';
  /** Line number of `text[0]` in the file. */
  let line = 1;
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done) {
      text += decoder.end();
      eof = true;
      return false;
    }
    text += decoder.write(r.value);
    return true;
  };
  const bad = (reason: string, at = line) =>
    invalidFileError(file, WHAT, reason, { line: at, hint: HINT });

  let driveId: string;
  let head: string;
  try {
    let list: RegExpExecArray | null;
    while (!(list = /<BlobList\s*>/.exec(text)) && text.length <= HEAD_MAX && (await more()));
    if (!list) throw bad('it has no <BlobList> near its start: not a drive manifest');
    const headEnd = list.index + list[0].length;
    // The head parsed as a whole document by closing what it opened.
    const parsed = parseXmlInput(
      parser,
      `${text.slice(0, headEnd)}</BlobList></Drive></DriveManifest>`,
      {
        file,
        what: WHAT,
        hint: HINT,
      },
    ) as { DriveManifest?: { Drive?: { DriveId?: unknown } } };
    const id = parsed.DriveManifest?.Drive?.DriveId;
    if (typeof id !== 'string') throw bad('it has no <DriveManifest><Drive><DriveId>');
    const idProblem = recordedDriveIdProblem(id);
    if (idProblem) throw bad(`DriveId "${printableExcerpt(id, 20)}" ${idProblem}`);
    driveId = id;
    head = text.slice(0, list.index);
    line += newlines(text.slice(0, headEnd));
    text = text.slice(headEnd);
  } catch (err) {
    close();
    throw err;
  }

  async function* blobs(): AsyncGenerator<ManifestEntry> {
    try {
      // Where the search for `</Blob>` resumes after more text came: a long element is scanned once.
      let from = 0;
      for (;;) {
        const start = text.indexOf('<Blob>');
        const end = start >= 0 ? text.indexOf('</Blob>', Math.max(start, from)) : -1;
        if (start >= 0 && end >= 0) {
          const gap = text.slice(0, start);
          if (gap.trim() !== '')
            throw bad(`unexpected text "${printableExcerpt(gap, 30)}" between <Blob> elements`);
          line += newlines(gap);
          const xml = text.slice(start, end + '</Blob>'.length);
          const doc = parseXmlInput(parser, xml, { file, what: WHAT, hint: HINT, firstLine: line });
          yield asEntry(doc, xml, (reason) => bad(reason));
          line += newlines(xml);
          text = text.slice(end + '</Blob>'.length);
          from = 0;
          continue;
        }
        from = Math.max(0, text.length - '</Blob>'.length);
        if (text.length > BLOB_MAX)
          throw bad(`a <Blob> element longer than ${BLOB_MAX} bytes, or text that is none`);
        if (!(await more())) break;
      }
      if (!FOOTER.test(text)) {
        throw bad(
          text.includes('<Blob>')
            ? 'it ends inside a <Blob> element (truncated)'
            : 'it does not end with </BlobList></Drive></DriveManifest> (truncated?)',
        );
      }
    } finally {
      close();
    }
  }
  return { driveId, head, blobs: blobs() };
}
