/**
 * Parsing XML that came from outside (publish settings, drive manifests) so that every way it
 * can be wrong is one usage error with a line number: a DOCTYPE or entity declaration (diskprep's
 * files never have one; entity expansion is how XML bombs work), nesting deeper than any real
 * file (the parser's tree builder recurses), and whatever fast-xml-parser's validator or parser
 * reports. Each step is linear in the text.
 */
import { type XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidFileError } from './inputText.ts';

/** How the text is named in errors, and how deep it may nest. */
export interface XmlInputOptions {
  file: string;
  /** `drive manifest`, `publish settings file`: completes "is not a valid ...". */
  what: string;
  hint?: string;
  code?: string;
  /** Deepest element nesting accepted (real files: under 10). Default 32. */
  maxDepth?: number;
  /** Line of the file where `text` starts, when it is a piece of a file (default 1). */
  firstLine?: number;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Index of the deepest-nesting violation, or -1. Comments, CDATA and PIs are skipped. */
function tooDeepAt(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    if (text.startsWith('<!--', i)) {
      i = text.indexOf('-->', i + 4);
    } else if (text.startsWith('<![CDATA[', i)) {
      i = text.indexOf(']]>', i + 9);
    } else if (text.startsWith('<?', i)) {
      i = text.indexOf('?>', i + 2);
    } else if (text.startsWith('</', i)) {
      depth--;
      continue;
    } else {
      // An opening tag: find its end outside attribute quotes; `/>` closes it at once.
      let j = i + 1;
      let quote = 0;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === 0x22 || c === 0x27) quote = c;
        else if (c === 0x3e) break;
      }
      if (text.charCodeAt(j - 1) !== 0x2f && ++depth > maxDepth) return i;
      i = j;
    }
    if (i < 0) break;
  }
  return -1;
}

/**
 * Checks `text` before it is parsed: no DOCTYPE / ENTITY, nesting within the limit, and
 * well-formed by fast-xml-parser's validator.
 *
 * @throws UsageError `file X is not a valid <what> (line L): <reason>`
 */
export function checkXmlInput(text: string, o: XmlInputOptions): void {
  const base = (o.firstLine ?? 1) - 1;
  const fail = (line: number | undefined, reason: string) =>
    invalidFileError(o.file, o.what, reason, {
      ...(line !== undefined ? { line: base + line } : {}),
      ...(o.hint ? { hint: o.hint } : {}),
      ...(o.code ? { code: o.code } : {}),
    });
  const dtd = /<!(?:DOCTYPE|ENTITY)/i.exec(text);
  if (dtd) {
    throw fail(
      lineAt(text, dtd.index),
      'it holds a DOCTYPE or entity declaration, which this file never has',
    );
  }
  const maxDepth = o.maxDepth ?? 32;
  const deep = tooDeepAt(text, maxDepth);
  if (deep >= 0) throw fail(lineAt(text, deep), `elements nested deeper than ${maxDepth} levels`);
  const result = XMLValidator.validate(text);
  if (result !== true) throw fail(result.err.line, result.err.msg);
}

/**
 * {@link checkXmlInput}, then `parser.parse(text)`; anything the parser still throws becomes the
 * same kind of usage error.
 */
export function parseXmlInput(parser: XMLParser, text: string, o: XmlInputOptions): unknown {
  checkXmlInput(text, o);
  try {
    return parser.parse(text) as unknown;
  } catch (err) {
    throw invalidFileError(o.file, o.what, err instanceof Error ? err.message : String(err), {
      ...(o.firstLine !== undefined ? { line: o.firstLine } : {}),
      ...(o.hint ? { hint: o.hint } : {}),
      ...(o.code ? { code: o.code } : {}),
    });
  }
}
