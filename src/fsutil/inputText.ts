/**
 * Turning what a parser said about a bad file into one short, printable line: no control
 * characters, no raw bytes of a binary file, nothing long.
 */
import { UsageError } from '../errors.ts';

/** Longest excerpt of a file's content (or of a parser's message) quoted in an error. */
export const EXCERPT_CHARS = 80;

/**
 * `text` made safe for a one-line message: whitespace runs become one space, anything that is
 * not a printable character becomes `?`, and it is cut at `max` characters.
 */
export function printableExcerpt(text: string, max = EXCERPT_CHARS): string {
  const flat = text
    .replace(/\s+/g, ' ')
    // Controls, lone surrogates, private use, the replacement character (undecodable bytes).
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\uFFFD]/gu, '?')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The usage error for a file that is not what it should be:
 * `file X is not a valid <what> (line L): <reason>`.
 */
export function invalidFileError(
  file: string,
  what: string,
  reason: string,
  options: { line?: number; hint?: string; code?: string } = {},
): UsageError {
  const at = options.line !== undefined && options.line > 0 ? ` (line ${options.line})` : '';
  return new UsageError(`file ${file} is not a valid ${what}${at}: ${printableExcerpt(reason)}`, {
    ...(options.hint ? { hint: options.hint } : {}),
    ...(options.code ? { code: options.code } : {}),
  });
}

/**
 * A count or offset as a file writes it (decimal digits only) as a number, or undefined when
 * it is anything else: fractional, negative, exponent, hex, or beyond 2^53 where a double stops
 * being exact. Callers check their own upper bound.
 */
export function parseWholeNumber(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}
