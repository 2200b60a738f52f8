/**
 * The datacenter's side of an import, for the tests: every file of a prepared drive's manifest
 * uploaded into the job's container as the import service writes it (each `<BlobPath>`, a block
 * blob committed from the manifest's blocks, a page blob written with its page ranges).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { parseManifest } from '../engine/stagingFixture.ts';

/** Empties the container `c`, then imports the drive mounted (or copied) at `drive` into it. */
export async function importDrive(c: ContainerClient, drive: string): Promise<void> {
  const nameOf = (blobPath: string) => blobPath.slice(blobPath.indexOf('/') + 1);
  await c.deleteIfExists();
  await c.create();
  for (const b of parseManifest(path.join(drive, 'DriveManifest.xml')).blobs) {
    const data = fs.readFileSync(path.join(drive, ...b.FilePath.split('\\').filter(Boolean)));
    if (b.PageRangeList !== undefined) {
      const page = c.getPageBlobClient(nameOf(b.BlobPath));
      await page.create(Number(b.Length));
      for (const r of (b.PageRangeList && b.PageRangeList.PageRange) || []) {
        const at = Number(r.Offset);
        await page.uploadPages(data.subarray(at, at + Number(r.Length)), at, Number(r.Length));
      }
    } else {
      const block = c.getBlockBlobClient(nameOf(b.BlobPath));
      const ids: string[] = [];
      for (const k of (b.BlockList && b.BlockList.Block) || []) {
        const at = Number(k.Offset);
        await block.stageBlock(k.Id, data.subarray(at, at + Number(k.Length)), Number(k.Length));
        ids.push(k.Id);
      }
      await block.commitBlockList(ids);
    }
  }
}
