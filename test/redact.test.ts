/**
 * The redactor masks secrets as whole tokens and never changes anything else: a value that
 * merely contains a secret's characters (a tracking number holding the carrier account's
 * digits) comes out exactly as it went in. Property-based over random secret sets and values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_FREE_TEXT_SECRET, Redactor } from '../src/redact.ts';

const BITLOCKER = '259358-123456-654321-111111-222222-333333-444444-426844';
const STORAGE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const SIG = 'Zq1rVb%2FAq7y4Mx3nE8Pn0kH5cR9Wl2TtYs6Dg%3D';

function redactorWith(...secrets: string[]): Redactor {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
}

describe('Redactor: values that only contain a secret stay exact', () => {
  it('a carrier account inside a tracking number: the tracking number is untouched, the account alone is masked', () => {
    const r = redactorWith('123456789');
    expect(r.redact('tracking number: 781234567890')).toBe('tracking number: 781234567890');
    expect(r.redact('{"trackingNumber": "781234567890"}')).toBe(
      '{"trackingNumber": "781234567890"}',
    );
    expect(r.redact('account 123456789 refused')).toBe('account *** refused');
    expect(r.redact('"123456789"')).toBe('"***"');
  });

  it('short secrets are not searched in free text (removed by field only)', () => {
    const r = redactorWith('1234567');
    expect('1234567'.length).toBeLessThan(MIN_FREE_TEXT_SECRET);
    expect(r.redact('drive count 1234567')).toBe('drive count 1234567');
  });

  it('BitLocker key, storage key, SAS signature and proxy password are masked wherever they stand alone', () => {
    const r = redactorWith(BITLOCKER, STORAGE_KEY, decodeURIComponent(SIG), 'pr0xy-s3cret');
    const out = r.redact(
      [
        `unlock with ${BITLOCKER}.`,
        `AccountKey=${STORAGE_KEY};EndpointSuffix=core.windows.net`,
        `key "${STORAGE_KEY}"`,
        `GET https://a.blob.core.windows.net/c?sv=2022-11-02&sig=${SIG}&sp=r`,
        `signature ${decodeURIComponent(SIG)} expired`,
        'proxy said: bad password pr0xy-s3cret',
        'CONNECT via http://alice:short@proxy:3128 failed',
      ].join('\n'),
    );
    expect(out).toBe(
      [
        'unlock with ***.',
        'AccountKey=***;EndpointSuffix=core.windows.net',
        'key "***"',
        'GET https://a.blob.core.windows.net/c?sv=2022-11-02&sig=***&sp=r',
        'signature *** expired',
        'proxy said: bad password ***',
        'CONNECT via http://alice:***@proxy:3128 failed',
      ].join('\n'),
    );
    // Unregistered, the shapes still go.
    expect(new Redactor().redact(`key ${BITLOCKER} u?sig=abc&x AccountKey=k==;`)).toBe(
      'key *** u?sig=***&x AccountKey=***;',
    );
  });

  it('the placeholder of a hint is not a secret: --proxy http://user:password@host:port stays readable', () => {
    const hint = 'put the proxy credentials in the URL: --proxy http://user:password@host:port';
    expect(redactorWith('pr0xy-s3cret').redact(hint)).toBe(hint);
  });

  it('the sig=... of a hint is not a signature; a real one after it still goes', () => {
    const hint = 'give the container SAS as backup?<token>, or the token alone (sv=...&sig=...)';
    expect(new Redactor().redact(hint)).toBe(hint);
    expect(new Redactor().redact(`${hint} not c?sv=1&sig=abc%2Fdef`)).toBe(
      `${hint} not c?sv=1&sig=***`,
    );
  });
});

/** Letters and digits: the characters a secret's edges are made of in these properties. */
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const inner = fc.oneof(alnum, fc.constantFrom('+', '/', '-', '_', '.'));
const secretArb = fc
  .tuple(alnum, fc.array(inner, { minLength: 0, maxLength: 30 }), alnum)
  .map(([a, mid, b]) => `${a}${mid.join('')}${b}`);
/** Non-secret text: words and separators that form none of the secret shapes (no `=`, `@`). */
const wordArb = fc.stringMatching(/^[A-Za-z0-9.,:/()' -]{0,20}$/);

const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);

/** Oracle: does `text` hold `secret` anywhere as a whole token? */
function holdsToken(text: string, secret: string): boolean {
  for (let i = text.indexOf(secret); i !== -1; i = text.indexOf(secret, i + 1))
    if (!isAlnum(text[i - 1]) && !isAlnum(text[i + secret.length])) return true;
  return false;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('Redactor properties', () => {
  it('never alters a string that holds no secret token (secrets glued into longer values included)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 5 }),
        fc.array(
          fc.oneof(
            wordArb,
            // A secret glued between letters or digits, like an account inside a tracking number.
            fc.tuple(alnum, fc.nat(4), alnum).map(([a, i, b]) => ({ a, i, b })),
          ),
          { maxLength: 12 },
        ),
        (secrets, parts) => {
          const text = parts
            .map((p) =>
              typeof p === 'string' ? p : `${p.a}${secrets[p.i % secrets.length]}${p.b}`,
            )
            .join(' ');
          const registered = secrets.filter((s) => s.length >= MIN_FREE_TEXT_SECRET);
          fc.pre(!registered.some((s) => holdsToken(text, s)));
          fc.pre(!/\d{6}(?:-\d{6}){7}/.test(text));
          expect(redactorWith(...secrets).redact(text)).toBe(text);
        },
      ),
      { numRuns: RUNS, seed: 11 },
    );
  });

  it('a registered secret standing as its own token never survives', () => {
    fc.assert(
      fc.property(
        secretArb.filter((s) => s.length >= MIN_FREE_TEXT_SECRET),
        wordArb,
        fc.constantFrom(' ', '"', "'", '(', ':', '\n', ','),
        (secret, word, sep) => {
          const out = redactorWith(secret).redact(`${word}${sep}${secret}${sep}${word}`);
          expect(holdsToken(out, secret)).toBe(false);
        },
      ),
      { numRuns: RUNS, seed: 11 },
    );
  });
});
