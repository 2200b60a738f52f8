/**
 * Secret redaction. Every line that reaches stderr, stdout (human form), a log or an error
 * passes through a {@link Redactor}. It is the net under the first line of defence, which is
 * by position: a secret field is never printed (the review shows the carrier account as
 * hidden, results carry no account, request bodies are masked by key name).
 *
 * The net must never change a value that is not a secret: a tracking number that happens to
 * contain the digits of the carrier account is printed exactly. So a registered secret is
 * masked only as a whole token (not glued to a letter or digit on either side) and only when
 * it is long enough ({@link MIN_FREE_TEXT_SECRET}) to be told apart from ordinary values;
 * shorter secrets are removed by field alone. Pattern rules mask the shapes of secrets that
 * were never registered (BitLocker passwords, `sig=`, `AccountKey=`, bearer tokens, PEM
 * keys, `user:password@` in URLs), again by position, never inside a longer token.
 */

/** The text put where a secret was. */
export const REDACTED = '***';

/** Registered secrets shorter than this are not searched for in free text (only by field). */
export const MIN_FREE_TEXT_SECRET = 8;

/**
 * Words diskprep's own hints put where a password goes (`--proxy
 * http://user:password@host:port`): placeholders, not secrets, so the URL rule leaves them.
 */
const PLACEHOLDERS = new Set(['password', 'pass', 'secret', '<password>', REDACTED]);

const patterns: RegExp[] = [
  // BitLocker recovery password: 8 groups of 6 digits.
  /(?<![A-Za-z0-9-])\d{6}(?:-\d{6}){7}(?![A-Za-z0-9-])/g,
  // SAS signature and similar credentials in query strings; not the `sig=...` of a hint.
  /([?&](?:sig|se?sig|skoid|sktid|skt|ske|sks|skv|code|token|access_token|client_secret)=)(?!\.\.\.)[^&\s"'<]+/gi,
  // Authorization headers.
  /(Authorization:?\s*"?(?:Bearer|SharedKey|Basic)\s+)[^\s"',]+/gi,
  // Storage account keys in connection strings.
  /(AccountKey=)[^;\s"']+/gi,
  // Private keys and PKCS#12 blobs in PEM form.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** user:password@ in URLs (proxies); the password is group 2. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)(@)/gi;

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/**
 * True when `text` holds `secret` at `at` as a whole token: an edge of the secret that is a
 * letter or digit does not continue into a letter or digit of the text.
 */
function isWholeToken(text: string, secret: string, at: number): boolean {
  if (isAlnum(secret[0]) && isAlnum(text[at - 1])) return false;
  if (isAlnum(secret[secret.length - 1]) && isAlnum(text[at + secret.length])) return false;
  return true;
}

/** `text` with every whole-token occurrence of `secret` replaced by {@link REDACTED}. */
export function replaceWholeToken(text: string, secret: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    if (at < from || !isWholeToken(text, secret, at)) continue;
    out += text.slice(from, at) + REDACTED;
    from = at + secret.length;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Registry of known secrets plus pattern rules. */
export class Redactor {
  private readonly secrets = new Set<string>();
  private sorted: string[] | undefined;

  /**
   * Registers a secret so that it never appears in output as a token of its own. Values
   * shorter than {@link MIN_FREE_TEXT_SECRET} are ignored: they are removed by field only.
   */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_FREE_TEXT_SECRET) return;
    this.secrets.add(secret);
    // Also the URL-encoded form, as it appears in query strings.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
    this.sorted = undefined;
  }

  /** Returns `text` with every registered secret and secret-shaped value replaced. */
  redact(text: string): string {
    // Longest first, so a secret that contains another is removed whole.
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.sorted) out = replaceWholeToken(out, s);
    for (const re of patterns) {
      out = out.replace(re, (...m: unknown[]) => {
        const prefix = m[1];
        return typeof prefix === 'string' ? `${prefix}${REDACTED}` : REDACTED;
      });
    }
    return out.replace(URL_CREDENTIALS, (whole, head: string, pass: string, at: string) =>
      PLACEHOLDERS.has(pass) ? whole : `${head}${REDACTED}${at}`,
    );
  }
}
