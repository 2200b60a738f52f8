/**
 * What a storage account key and a container SAS look like: the rules `diskprep init` applies
 * to what the operator gives and the job's secrets file is read back with (one set of rules for
 * the writer and the reader). Kept apart from `sas.ts` so reading a job does not load the
 * storage SDK.
 */

/** Why `key` is not a storage account key (base64 of at least 16 bytes), or undefined. */
export function storageAccountKeyProblem(key: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0)
    return 'a storage account key is base64 text';
  if (Buffer.from(key, 'base64').length < 16) return 'a storage account key is longer';
  return undefined;
}

/**
 * Why `sas` (a query string without the leading `?`) is not a usable container SAS, or
 * undefined. Every %-escape must decode: the SDK and the redactor decode it later, where a
 * malformed one would throw.
 */
export function containerSasProblem(sas: string): string | undefined {
  if (sas === '') return 'it is empty';
  if (/[\s\p{Cc}\p{Cs}]/u.test(sas)) return 'it holds spaces, control characters or broken Unicode';
  for (const part of sas.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return 'it holds a malformed %-escape (a % not followed by two hex digits)';
    }
  }
  const q = new URLSearchParams(sas);
  if (!q.get('sig') || !q.get('sv')) return 'it has no sv= and sig=';
  return undefined;
}

/** The decoded signature of a SAS that passed {@link containerSasProblem}, or undefined. */
export function sasSignature(sas: string): string | undefined {
  const sig = /(?:^|[?&])sig=([^&]+)/.exec(sas);
  if (!sig) return undefined;
  try {
    return decodeURIComponent(sig[1]!);
  } catch {
    return undefined;
  }
}
