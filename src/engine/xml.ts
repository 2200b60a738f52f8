/** XML text and attribute escaping for the manifest and drive-info files. */
import { UsageError } from '../errors.ts';

// XML 1.0 forbids C0 controls other than tab, LF, CR; a name holding one cannot be listed.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Escapes `&`, `<`, `>`, `"`, `'`; throws a usage error on characters XML cannot carry. */
export function escapeXml(text: string): string {
  if (FORBIDDEN.test(text)) {
    throw new UsageError(
      `"${JSON.stringify(text).slice(1, -1)}" holds a control character that a drive manifest cannot carry`,
      {
        hint: 'rename the file in the staging location',
      },
    );
  }
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Names of the child elements of the one element `xml` holds, in document order (comments,
 * processing instructions and CDATA skipped). `<Blob><A/><B>x<C/></B></Blob>` → `['A', 'B']`.
 */
export function childElementNames(xml: string): string[] {
  const text = xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, '');
  const names: string[] = [];
  let depth = 0;
  for (const m of text.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClosing] = m;
    if (close) depth--;
    else {
      if (depth === 1) names.push(name!);
      if (!selfClosing) depth++;
    }
  }
  return names;
}
