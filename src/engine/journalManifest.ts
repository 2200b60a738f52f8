/**
 * A drive's manifest as the journal holds it: the header the engine writes, the committed
 * prefix of `drive-<n>.blobs.xml` and the footer, assembled by {@link manifestBytes} (the code
 * that writes `DriveManifest.xml` to the drive) and read by {@link openManifest} (the parser
 * `verify` reads a drive's manifest with). So `verify` and `verify-import` compare with exactly
 * the blob list the engine committed, without a copy of either step.
 */
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { blobsPath, type DriveRecord } from '../journal/copyState.ts';
import {
  type ManifestCredential,
  type ManifestParts,
  manifestBytes,
  manifestHeader,
} from './manifest.ts';
import { openManifest, type ManifestStream } from './readManifest.ts';

/** What the engine assembles drive `d`'s manifest from. */
export function driveManifestParts(
  deps: Pick<Deps, 'version'>,
  staging: string,
  job: string,
  d: DriveRecord,
  credential: ManifestCredential | undefined,
): ManifestParts {
  return {
    header: manifestHeader({
      driveId: d.driveId,
      credential,
      clientCreator: `diskprep ${deps.version}`,
    }),
    blobsFile: blobsPath(staging, job, d.index),
    blobsBytes: d.blobsBytes,
  };
}

/** The journal is read back: a missing or short blob file is a damaged journal (exit 2). */
async function* journalBytes(parts: ManifestParts): AsyncGenerator<Buffer> {
  try {
    yield* manifestBytes(parts);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `the copy journal ${parts.blobsFile} is damaged (${code === 'ENOENT' ? 'missing' : 'shorter than copy-state.json records'})`,
      {
        hint: 'restore the journal folder from a backup, or prepare the drive again',
        cause: err,
      },
    );
  }
}

/** Streams the blobs the journal committed for drive `d`, in copy order. */
export function openJournalManifest(
  deps: Pick<Deps, 'version'>,
  staging: string,
  job: string,
  d: DriveRecord,
  credential: ManifestCredential | undefined,
): Promise<ManifestStream> {
  const parts = driveManifestParts(deps, staging, job, d, credential);
  return openManifest(parts.blobsFile, journalBytes(parts));
}
