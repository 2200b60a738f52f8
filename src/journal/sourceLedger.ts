/**
 * The journal's record of each committed file's source as it was copied
 * (`<journal>/<job>/sources-<n>.jsonl`, one per drive), so that a resumed run can tell the operator which files
 * already on the drive have changed in the staging location since.
 *
 * One JSON line per committed file, in commit order (= walk order), after a header line that
 * says from which committed file on the lines start (a journal begun before this file existed
 * starts it mid-way):
 *
 *   {"v":1,"from":0}
 *   ["photos/a.jpg","4096","1763700000123456789","1763700000123456789","1234","2049"]
 *
 * (path, size, mtime ns, ctime ns, inode, device). Lines are appended and fdatasync'ed at each
 * commit before the copy state moves, like the blob file; lines past the committed count (a
 * crash between the two) are cut off when the next run first writes. Read back lazily, in step
 * with the walk, so memory does not grow with the number of files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { journalDir } from './layout.ts';

/**
 * `<staging>/.diskprep/journal/<job>/sources-<n>.jsonl`: the ledger of drive `index` (0-based).
 * Journals of drives filled one after another had one `sources.jsonl` for the job; a drive of
 * such a journal resumed now starts its own ledger, its earlier files unchecked.
 */
export function sourcesPath(staging: string, job: string, index: number): string {
  return path.join(journalDir(staging, job), `sources-${index + 1}.jsonl`);
}

/** A source file at one moment (the engine reads it with `sourceIdentity`). */
export interface SourceIdentity {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

/** One committed file's source as it was copied. */
export interface SourceRecord {
  relPath: string;
  source: SourceIdentity;
}

const DIGITS = /^\d{1,30}$/;
const NOT_ASCII = /[\u007f-\uffff]/g;
const escapeUnit = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Reads lines of a file one at a time from the start, with a fixed buffer. */
class LineReader {
  private readonly buf = Buffer.allocUnsafe(64 * 1024);
  private rest = '';
  /** Where the unread part of `rest` starts. */
  private at = 0;
  private pos = 0;
  private eof = false;
  /** Bytes of the file up to the end of the last line returned. */
  consumed = 0;
  /** Lines returned. */
  lines = 0;

  private readonly fd: number;

  constructor(fd: number) {
    this.fd = fd;
  }

  /** The next complete line (without its newline), or undefined at the end. */
  next(): string | undefined {
    for (;;) {
      const nl = this.rest.indexOf('\n', this.at);
      if (nl >= 0) {
        const line = this.rest.slice(this.at, nl);
        this.at = nl + 1;
        this.consumed += line.length + 1; // latin1: one character per byte
        this.lines++;
        return line;
      }
      // A last line without its newline was torn by a crash: never returned.
      if (this.eof) return undefined;
      const n = fs.readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (n === 0) this.eof = true;
      this.pos += n;
      // Lines are ASCII (JSON with \u escapes), so a chunk never splits a character.
      this.rest = this.rest.slice(this.at) + this.buf.toString('latin1', 0, n);
      this.at = 0;
    }
  }
}

/**
 * The ledger of a job's copy, opened at the start of a run that has `committed` files in its
 * journal.
 */
export class SourceLedger {
  private readonly reader: LineReader;
  /** Index (in commit order) of the first committed file that has a line. */
  private from: number;
  /** Committed files whose lines were read or skipped so far. */
  private read = 0;
  private end: number | undefined;
  private pending: string[] = [];

  private readonly file: string;
  private readonly fd: number;
  private readonly committed: number;

  private constructor(file: string, fd: number, committed: number) {
    this.file = file;
    this.fd = fd;
    this.committed = committed;
    this.reader = new LineReader(fd);
    const header = this.reader.next();
    if (header === undefined) {
      // New (or a header torn by a crash): lines start with the next commit.
      this.from = this.restart();
      return;
    }
    const h = parseJson(header) as { v?: unknown; from?: unknown } | undefined;
    if (h?.v !== 1 || !Number.isSafeInteger(h.from) || (h.from as number) < 0)
      throw this.damaged(1);
    this.from = h.from as number;
  }

  /** Empties the ledger; its lines start with the next committed file. Returns that index. */
  private restart(): number {
    fs.ftruncateSync(this.fd, 0);
    const header = `${JSON.stringify({ v: 1, from: this.committed })}\n`;
    this.writeAt(0, header);
    this.end = header.length;
    return this.committed;
  }

  /** Opens (creating) a drive's ledger ({@link sourcesPath}), `committed` files committed to the drive. */
  static open(file: string, committed: number): SourceLedger {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    try {
      return new SourceLedger(file, fd, committed);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /**
   * The record of the next committed file in commit order; undefined when the ledger has none
   * for it (committed before the ledger began). Call once per committed file, in walk order.
   */
  nextCommitted(): SourceRecord | undefined {
    const index = this.read++;
    if (index < this.from || index >= this.committed) return undefined;
    const line = this.reader.next();
    if (line === undefined) return undefined;
    const rec = parseRecord(line);
    if (!rec) throw this.damaged(this.reader.lines);
    return rec;
  }

  /** Queues the record of a copied file for the next {@link flush}. */
  add(relPath: string, source: SourceIdentity): void {
    const s = source;
    const json = JSON.stringify([
      relPath,
      ...[s.size, s.mtimeNs, s.ctimeNs, s.ino, s.dev].map(String),
    ]);
    this.pending.push(`${json.replace(NOT_ASCII, escapeUnit)}\n`);
  }

  /**
   * Appends the first `records` queued records (all by default) and makes them durable (before
   * the copy state moves); the rest stay queued for a later commit.
   */
  flush(records = this.pending.length): void {
    if (records <= 0 || this.pending.length === 0) return;
    const end = this.committedEnd();
    const data = this.pending.slice(0, records).join('');
    this.writeAt(end, data);
    fs.fdatasyncSync(this.fd);
    this.end = end + Buffer.byteLength(data);
    this.pending = this.pending.slice(records);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** Where the committed lines end; the first call cuts off lines of files never committed. */
  private committedEnd(): number {
    if (this.end !== undefined) return this.end;
    const want = this.committed - this.from;
    while (this.reader.lines - 1 < want && this.reader.next() !== undefined);
    // Fewer lines than committed files (the file was cut short by hand): start over aligned.
    if (want < 0 || this.reader.lines - 1 < want) {
      this.from = this.restart();
      return this.end!;
    }
    this.end = this.reader.consumed;
    fs.ftruncateSync(this.fd, this.end);
    return this.end;
  }

  private writeAt(position: number, text: string): void {
    const data = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < data.length)
      off += fs.writeSync(this.fd, data, off, data.length - off, position + off);
  }

  private damaged(line: number): UsageError {
    return new UsageError(`the journal file ${this.file} is damaged (line ${line})`, {
      hint: 'delete that file and run the same command again: files copied in earlier runs are then not checked against the staging location',
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseRecord(line: string): SourceRecord | undefined {
  const v = parseJson(line);
  if (!Array.isArray(v) || v.length !== 6 || typeof v[0] !== 'string' || v[0] === '')
    return undefined;
  const nums = v.slice(1) as unknown[];
  if (!nums.every((n) => typeof n === 'string' && DIGITS.test(n))) return undefined;
  const [size, mtimeNs, ctimeNs, ino, dev] = (nums as string[]).map((n) => BigInt(n)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return { relPath: v[0], source: { size, mtimeNs, ctimeNs, ino, dev } };
}
