/**
 * Mutations of real, valid files (a manifest from a real prepare, publish settings from the
 * fixtures, a descriptor from init, journal files from real runs) as fast-check arbitraries:
 * each is data (positions as fractions of the length), so a failing case shrinks and replays.
 */
import fc from 'fast-check';

/** Strings that have broken parsers, paths and number handling before. */
export const NASTY_STRINGS = [
  '../outside',
  '..\\..\\windows',
  '.diskprep/journal',
  '.DISKPREP',
  '/etc/passwd',
  'C:\\Windows',
  '\\\\server\\share',
  'a/../../b',
  '',
  ' ',
  '\u0000',
  '\u001b[31m',
  '\uFFFF',
  '\uD800',
  '😀🏳️‍🌈',
  'Ω≈ç√∫',
  'e\u0301',
  '%zz%E0%A4%A',
  'sig=%',
  '<![CDATA[x]]>',
  '&amp;&lt;',
  'x'.repeat(5000),
  'CON',
  'a\nb\nc\nd\ne',
];

/** Number spellings that are not whole, safe, non-negative integers. */
export const NASTY_NUMBERS = [
  '1.5',
  '0.5',
  '-1',
  '-0',
  '1e3',
  '1e309',
  '0x10',
  'NaN',
  'Infinity',
  '9007199254740993',
  '99999999999999999999999',
  '',
  ' 7',
  '٣',
  '4194305',
];

/** XML fragments that have crashed or hung XML readers. */
export const NASTY_XML = [
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
  '&b;',
  '<a>'.repeat(3000) + '</a>'.repeat(3000),
  '<a>'.repeat(3000),
  '<?xml version="1.0"?>',
  '<!-- unterminated',
  '<![CDATA[',
  '</Blob>',
  '<Blob>',
  '<Blob><FilePath>\\..\\..\\etc\\passwd</FilePath><Length>1</Length><BlockList/></Blob>',
  '&#xD800;',
  '&#0;',
  '<x y="1" y="2"/>',
  '\u0000\u0001\u0002',
];

/** Hostile fragments that are themselves well-formed: they reach the parser. */
const WELL_FORMED_XML = [
  '<a>'.repeat(3000) + '</a>'.repeat(3000),
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
  '<x>&a;</x>',
  '<x>&#xD800;&#0;</x>',
  '<x><![CDATA[<Blob>]]></x>',
  '<x y="&lt;&amp;&#x1F600;"/>',
];

/** One mutation, as data. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; text: string }
  /** Inserted just before a `<`, so well-formed XML stays well-formed for the parser to meet. */
  | { kind: 'atTag'; at: number; text: string }
  | { kind: 'number'; nth: number; text: string }
  | { kind: 'quoted'; nth: number; text: string }
  | { kind: 'repeat'; at: number; span: number; times: number }
  | { kind: 'random'; bytes: Uint8Array };

// Positions spread over the whole file (fast-check's bias would pile them up at 0 and 1).
const frac = fc.noBias(fc.nat(1_000_000)).map((n) => n / 1_000_000);

/** The mutations; `xml` adds XML fragments to what is inserted. */
export function mutation(xml: boolean): fc.Arbitrary<Mutation> {
  const text = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS, ...(xml ? NASTY_XML : [])),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: frac }),
    fc.record({
      kind: fc.constant('flip' as const),
      at: frac,
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('insert' as const), at: frac, text }),
    ...(xml
      ? [
          fc.record({
            kind: fc.constant('atTag' as const),
            at: frac,
            text: fc.constantFrom(...NASTY_XML),
          }),
        ]
      : []),
    fc.record({
      kind: fc.constant('number' as const),
      nth: fc.nat(50),
      text: fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.integer().map(String)),
    }),
    fc.record({ kind: fc.constant('quoted' as const), nth: fc.nat(50), text }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at: frac,
      span: fc.integer({ min: 1, max: 400 }),
      times: fc.integer({ min: 2, max: 50 }),
    }),
    fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 600 }) }),
  );
}

function replaceNth(s: string, re: RegExp, nth: number, by: (m: string) => string): string {
  const all = [...s.matchAll(re)];
  if (all.length === 0) return s;
  const m = all[nth % all.length]!;
  return s.slice(0, m.index) + by(m[0]) + s.slice(m.index + m[0].length);
}

/** Applies one mutation. */
export function apply(base: Buffer, m: Mutation): Buffer {
  const pos = (f: number) => Math.min(base.length, Math.floor(f * base.length));
  switch (m.kind) {
    case 'truncate':
      return base.subarray(0, pos(m.at));
    case 'flip': {
      const b = Buffer.from(base);
      if (b.length > 0) b[Math.min(b.length - 1, pos(m.at))] = m.byte;
      return b;
    }
    case 'insert': {
      const p = pos(m.at);
      return Buffer.concat([base.subarray(0, p), Buffer.from(m.text, 'utf8'), base.subarray(p)]);
    }
    case 'atTag': {
      const found = base.indexOf('<', pos(m.at));
      const p = found < 0 ? base.length : found;
      return Buffer.concat([base.subarray(0, p), Buffer.from(m.text, 'utf8'), base.subarray(p)]);
    }
    case 'number':
      return Buffer.from(
        replaceNth(base.toString('utf8'), /\d+/g, m.nth, () => m.text),
        'utf8',
      );
    case 'quoted':
      // A JSON string, an attribute value or an element's text.
      return Buffer.from(
        replaceNth(base.toString('utf8'), /"[^"\n]*"|>[^<\n]+</g, m.nth, (s) =>
          s.startsWith('"') ? JSON.stringify(m.text) : `>${m.text}<`,
        ),
        'utf8',
      );
    case 'repeat': {
      const p = pos(m.at);
      const piece = base.subarray(p, Math.min(base.length, p + m.span));
      return Buffer.concat([
        base.subarray(0, p),
        ...Array<Buffer>(m.times).fill(piece),
        base.subarray(p),
      ]);
    }
    case 'random':
      return Buffer.from(m.bytes);
  }
}

/** One to three mutations of `base`, applied in order. */
export function mutated(base: Buffer, xml: boolean): fc.Arbitrary<Buffer> {
  const chain = fc
    .array(mutation(xml), { minLength: 1, maxLength: 3 })
    .map((ms) => ms.reduce((b, m) => apply(b, m), base));
  if (!xml) return chain;
  // A hostile fragment in otherwise well-formed XML: what gets past the validator to the parser.
  const alone = fc
    .record({ at: frac, text: fc.constantFrom(...WELL_FORMED_XML) })
    .map(({ at, text }) => apply(base, { kind: 'atTag', at, text }));
  return fc.oneof({ weight: 2, arbitrary: chain }, { weight: 1, arbitrary: alone });
}

/**
 * A JSON document with one field set to a hostile value (path chosen among the document's
 * own fields, value from the nasty pools or any JSON value).
 */
export function jsonFieldMutated(base: unknown): fc.Arbitrary<Buffer> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]) => {
    paths.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(base, []);
  const value = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.constantFrom(-1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2, 0, null, true, [], {}),
    fc.jsonValue({ maxDepth: 3 }),
  );
  return fc.tuple(fc.nat(paths.length - 1), value).map(([i, v]) => {
    const doc = structuredClone(base) as Record<string | number, unknown>;
    const at = paths[i]!;
    if (at.length === 0) return Buffer.from(JSON.stringify(v) ?? 'null');
    let node = doc;
    for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[at.at(-1)!] = v;
    return Buffer.from(JSON.stringify(doc));
  });
}

/** Either byte/text mutations of the file or a hostile value in one of its fields. */
export function jsonMutated(text: string): fc.Arbitrary<Buffer> {
  return fc.oneof(mutated(Buffer.from(text), false), jsonFieldMutated(JSON.parse(text)));
}
