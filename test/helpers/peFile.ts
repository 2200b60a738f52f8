/**
 * Reads what the packaging tests check in a Windows executable without running it: the PE
 * headers and a named resource (Microsoft PE/COFF specification: optional header data
 * directories, section table, `.rsrc` directory tree of type → name → language).
 */

/** The headers of a PE file that say what it is. */
export interface PeHeaders {
  /** COFF machine (0x8664: x64). */
  machine: number;
  /** Optional header magic (0x20b: PE32+). */
  magic: number;
  /** The security (Authenticode) data directory: file offset and size, 0/0 when unsigned. */
  security: { offset: number; size: number };
}

/** Offsets of the headers: throws unless `exe` starts with MZ and has the PE signature. */
function layout(exe: Buffer) {
  if (exe.toString('latin1', 0, 2) !== 'MZ') throw new Error('no MZ header');
  const pe = exe.readUInt32LE(0x3c);
  if (exe.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('no PE signature');
  const coff = pe + 4;
  const opt = coff + 20;
  return {
    coff,
    opt,
    sections: opt + exe.readUInt16LE(coff + 16),
    sectionCount: exe.readUInt16LE(coff + 2),
    // PE32+ data directories start 112 bytes into the optional header, 8 bytes each.
    directory: (i: number) => ({
      rva: exe.readUInt32LE(opt + 112 + 8 * i),
      size: exe.readUInt32LE(opt + 112 + 8 * i + 4),
    }),
  };
}

/** Machine, magic and signature directory of `exe`. */
export function peHeaders(exe: Buffer): PeHeaders {
  const l = layout(exe);
  const sec = l.directory(4);
  return {
    machine: exe.readUInt16LE(l.coff),
    magic: exe.readUInt16LE(l.opt),
    security: { offset: sec.rva, size: sec.size },
  };
}

/** The bytes of resource `type`/`name` (first language), or undefined when absent. */
export function peResource(exe: Buffer, type: number, name: string): Buffer | undefined {
  const l = layout(exe);
  const toOffset = (rva: number): number => {
    for (let i = 0; i < l.sectionCount; i++) {
      const s = l.sections + 40 * i;
      const va = exe.readUInt32LE(s + 12);
      const span = Math.max(exe.readUInt32LE(s + 8), exe.readUInt32LE(s + 16));
      if (rva >= va && rva < va + span) return rva - va + exe.readUInt32LE(s + 20);
    }
    throw new Error(`RVA ${rva} is in no section`);
  };
  const rsrc = l.directory(2);
  if (rsrc.size === 0) return undefined;
  const base = toOffset(rsrc.rva);
  /** The entries of the directory at `dir` (offset from base): id or name, and target. */
  const entries = (dir: number) => {
    const count = exe.readUInt16LE(base + dir + 12) + exe.readUInt16LE(base + dir + 14);
    return Array.from({ length: count }, (_, i) => {
      const e = base + dir + 16 + 8 * i;
      const id = exe.readUInt32LE(e);
      const to = exe.readUInt32LE(e + 4);
      const named = (id & 0x80000000) !== 0;
      const at = base + (id & 0x7fffffff);
      return {
        id: named ? undefined : id,
        name: named
          ? exe.toString('utf16le', at + 2, at + 2 + 2 * exe.readUInt16LE(at))
          : undefined,
        subdir: (to & 0x80000000) !== 0 ? to & 0x7fffffff : undefined,
        data: to & 0x7fffffff,
      };
    });
  };
  const byType = entries(0).find((e) => e.id === type)?.subdir;
  const byName = byType === undefined ? undefined : entries(byType).find((e) => e.name === name);
  if (byName?.subdir === undefined) return undefined;
  const lang = entries(byName.subdir)[0];
  if (!lang) return undefined;
  const entry = base + lang.data;
  const start = toOffset(exe.readUInt32LE(entry));
  return exe.subarray(start, start + exe.readUInt32LE(entry + 4));
}
