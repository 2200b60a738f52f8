import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceLedger, type SourceIdentity } from '../../src/journal/sourceLedger.ts';
import { tempDir } from '../helpers/tempDir.ts';

const id = (n: number): SourceIdentity => ({
  size: BigInt(n),
  mtimeNs: 1_763_700_000_000_000_000n + BigInt(n),
  ctimeNs: 1_763_700_000_000_000_000n + BigInt(n),
  ino: BigInt(1000 + n),
  dev: 2049n,
});

/** The records a run that has `committed` files in its journal reads back. */
function readBack(file: string, committed: number): (string | undefined)[] {
  const l = SourceLedger.open(file, committed);
  try {
    return Array.from({ length: committed + 1 }, () => l.nextCommitted()?.relPath);
  } finally {
    l.close();
  }
}

describe('the source ledger while the next batch is copied', () => {
  // A commit is made while the next batch is copied (driveLane.ts): the ledger writes only the
  // sealed batch's records; the later ones wait for their own commit.
  it('flush(n) makes the first n queued records durable and keeps the rest for the next commit', () => {
    const file = path.join(tempDir('ledger'), 'sources-1.jsonl');
    const l = SourceLedger.open(file, 0);
    for (const [i, p] of ['a.jpg', 'b.jpg', 'c.jpg'].entries()) l.add(p, id(i));
    l.flush(2);
    // A crash here: the journal says 2 files; the third was never written to the ledger.
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readBack(file, 2)).toEqual(['a.jpg', 'b.jpg', undefined]);
    l.add('d.jpg', id(3));
    l.flush(2);
    l.close();
    expect(readBack(file, 4)).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', undefined]);
  });

  it('lines past the committed count (a crash between the ledger and the copy state) are cut off at the next flush', () => {
    const file = path.join(tempDir('ledger'), 'sources-1.jsonl');
    const first = SourceLedger.open(file, 0);
    first.add('a.jpg', id(0));
    first.add('b.jpg', id(1));
    first.flush();
    first.close();
    // The copy state recorded only a.jpg: b.jpg is copied again and its line written anew.
    const again = SourceLedger.open(file, 1);
    again.add('b2.jpg', id(2));
    again.flush();
    again.close();
    expect(readBack(file, 2)).toEqual(['a.jpg', 'b2.jpg', undefined]);
  });
});
