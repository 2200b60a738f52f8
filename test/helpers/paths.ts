/** Paths tests need: the repo root and the read-only shared folder beside it. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `../shared` beside the repository (CI places it there); override with DISKPREP_SHARED. */
export const SHARED_DIR = process.env.DISKPREP_SHARED ?? path.resolve(REPO_ROOT, '..', 'shared');
