/**
 * Secret redaction. Every line that reaches stderr, stdout (human form), a log or an error
 * passes through a {@link Redactor}. Known secrets are registered as they are read (storage
 * keys, SAS tokens, BitLocker keys, certificate material); pattern rules catch the shapes of
 * secrets that were never registered.
 */

/** The text put where a secret was. */
export const REDACTED = '***';

const patterns: RegExp[] = [
  // BitLocker recovery password: 8 groups of 6 digits.
  /\b\d{6}(?:-\d{6}){7}\b/g,
  // SAS signature and similar credentials in query strings.
  /([?&](?:sig|se?sig|skoid|sktid|skt|ske|sks|skv|code|token|access_token|client_secret)=)[^&\s"'<]+/gi,
  // Authorization headers.
  /(Authorization:?\s*"?(?:Bearer|SharedKey|Basic)\s+)[^\s"',]+/gi,
  // Storage account keys in connection strings.
  /(AccountKey=)[^;\s"']+/gi,
  // Private keys and PKCS#12 blobs in PEM form.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // user:password@ in URLs (proxies).
  /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+(@)/gi,
];

/** Registry of known secrets plus pattern rules. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret so that it never appears in output. Short values are ignored. */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < 6) return;
    this.secrets.add(secret);
    // Also the URL-encoded form, as it appears in query strings.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
  }

  /** Returns `text` with every registered secret and secret-shaped run replaced. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join(REDACTED);
    }
    for (const re of patterns) {
      out = out.replace(re, (...m: string[]) => {
        const groups = m.slice(1, -2).filter((g) => typeof g === 'string');
        if (groups.length === 0) return REDACTED;
        if (groups.length === 1) return `${groups[0]}${REDACTED}`;
        return `${groups[0]}${REDACTED}${groups[1]}`;
      });
    }
    return out;
  }
}
