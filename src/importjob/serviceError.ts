/**
 * Turns an Azure error answer into one readable line. Three shapes reach us: ARM
 * (`{"error":{"code","message","details"}}`), classic JSON Light
 * (`{"odata.error":{"code","message":{"value"},"azure.values":[...]}}`) and the classic XML
 * `<Error><Code/><Message/></Error>`.
 */
import { XMLParser } from 'fast-xml-parser';

/** The service's own code and message. */
export interface ServiceErrorText {
  code?: string;
  message?: string;
}

interface ArmErrorBody {
  error?: { code?: unknown; message?: unknown; details?: { code?: unknown; message?: unknown }[] };
  'odata.error'?: {
    code?: unknown;
    message?: { value?: unknown } | string;
    'azure.values'?: Record<string, unknown>[];
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Extracts code + message from an error body; {} when it holds neither. */
export function parseServiceError(body: string): ServiceErrorText {
  const text = body.trim();
  if (text === '') return {};
  if (text.startsWith('{')) {
    let data: ArmErrorBody;
    try {
      data = JSON.parse(text) as ArmErrorBody;
    } catch {
      return { message: firstLine(text) };
    }
    if (data.error) {
      const details = (data.error.details ?? [])
        .map((d) => str(d.message))
        .filter((m): m is string => m !== undefined);
      const message = [str(data.error.message), ...details].filter(Boolean).join(' ');
      return { code: str(data.error.code), message: message || undefined };
    }
    const od = data['odata.error'];
    if (od) {
      const msg = typeof od.message === 'string' ? od.message : str(od.message?.value);
      let extended: string | undefined;
      for (const v of od['azure.values'] ?? []) {
        extended ??= str(v.ExtendedCode);
      }
      return { code: extended ?? str(od.code), message: msg };
    }
    return {};
  }
  if (text.startsWith('<')) {
    try {
      const xml = new XMLParser().parse(text) as { Error?: { Code?: unknown; Message?: unknown } };
      return { code: str(xml.Error?.Code), message: str(xml.Error?.Message) };
    } catch {
      return {};
    }
  }
  return { message: firstLine(text) };
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
