/**
 * The documented examples, as a test reads them: every line of the "Examples:" section of each
 * pinned `--help` (test/cli/__snapshots__/help/, which the binary prints exactly), and every
 * `diskprep` line of the README's fenced blocks marked ```` ```sh example ````. A line ending in
 * ` \` continues on the next; `  # ...` after a command is a comment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.ts';
import { COMMANDS, helpSnapshot } from './commands.ts';

/** One documented example. */
export interface Example {
  /** Where it is written: `help: diskprep ship`, `README.md:120`. */
  source: string;
  /** The command line as written (continuations joined, comment dropped). */
  text: string;
  /** Its comment says `interactive`: it asks questions at a terminal. */
  interactive: boolean;
}

/** Joins ` \` continuations and splits off comments; keeps only lines that run diskprep. */
function commandLines(lines: readonly string[]): { text: string; interactive: boolean }[] {
  const out: { text: string; interactive: boolean }[] = [];
  let pending = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (line.endsWith('\\') && !line.endsWith(':\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const { code, comment } = splitComment(pending + line);
    pending = '';
    const text = code.trim();
    if (text.startsWith('diskprep ') || text === 'diskprep')
      out.push({ text, interactive: /\binteractive\b/.test(comment) });
  }
  return out;
}

/** Splits an unquoted ` # comment` off a line. */
function splitComment(line: string): { code: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!)))
      return { code: line.slice(0, i), comment: line.slice(i + 1) };
  }
  return { code: line, comment: '' };
}

/** The examples of one pinned help text. */
function helpExamples(command?: string): Example[] {
  const text = readFileSync(new URL(helpSnapshot(command), import.meta.url), 'utf8');
  const start = text.indexOf('\nExamples:\n');
  if (start < 0) return [];
  const section: string[] = [];
  for (const line of text.slice(start + '\nExamples:\n'.length).split('\n')) {
    if (!line.startsWith('  ')) break;
    section.push(line);
  }
  const source = `help: diskprep${command ? ` ${command}` : ''}`;
  return commandLines(section).map((l) => ({ source, ...l }));
}

/** Every example of every `--help`, the top-level one first. */
export function allHelpExamples(): Example[] {
  return [undefined, ...COMMANDS].flatMap((c) => helpExamples(c));
}

/** Every `diskprep` line of the README's ```` ```sh example ```` blocks. */
export function readmeExamples(): Example[] {
  const lines = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```sh example') continue;
    const at = i + 1;
    const block: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) block.push(lines[i]!);
    for (const l of commandLines(block)) out.push({ source: `README.md:${at}`, ...l });
  }
  return out;
}

/**
 * Splits a command line as a POSIX shell would for these examples: single and double quotes,
 * `$NAME` / `"$NAME"` from `env` (an unset name is an error, not an empty word).
 */
export function shellWords(line: string, env: Readonly<Record<string, string>>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  const expand = (s: string) =>
    s.replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new Error(`example uses $${name}, which the runner does not set`);
      return v;
    });
  let chunk = '';
  const flush = (q: string | undefined) => {
    word = (word ?? '') + (q === "'" ? chunk : expand(chunk));
    chunk = '';
  };
  for (const c of line) {
    if (quote) {
      if (c === quote) {
        flush(quote);
        quote = undefined;
      } else chunk += c;
    } else if (c === '"' || c === "'") {
      flush(undefined);
      quote = c;
    } else if (/\s/.test(c)) {
      if (chunk !== '' || word !== undefined) flush(undefined);
      if (word !== undefined) words.push(word);
      word = undefined;
    } else chunk += c;
  }
  if (quote) throw new Error(`unbalanced ${quote} in: ${line}`);
  if (chunk !== '' || word !== undefined) flush(undefined);
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * README "JSON output": for each command (`u:` and `s:` under their commands), the top-level
 * keys its `--json` document may have (every backticked word of the row's second cell).
 */
export function documentedJsonKeys(): Map<string, Set<string>> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## JSON output'));
  const out = new Map<string, Set<string>>();
  for (const row of section.split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    if (cells.length < 4 || !cells[1]!.startsWith('`')) continue;
    const words = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const keys = new Set(words(cells[2]!));
    for (const command of words(cells[1]!)) out.set(command, keys);
  }
  return out;
}
