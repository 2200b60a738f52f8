/** What Entra ID said when a sign-in failed, as one short phrase for an error line. */

/** The Entra error code of a failed sign-in (AADSTS700027, invalid_client...), one short phrase. */
export function entraReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const aadsts = /AADSTS\d+/.exec(text)?.[0];
  const code = /\b(invalid_client|invalid_request|unauthorized_client|invalid_grant)\b/.exec(
    text,
  )?.[1];
  if (aadsts || code) return [code, aadsts].filter(Boolean).join(' ');
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|certificate/i.test(text))
    return 'the sign-in host could not be reached';
  return 'Entra ID refused it';
}
