/**
 * What `diskprep prepare` / `diskprep s:<staging>` takes: every answer of the flow as a flag.
 */
import type { AzureOptions } from '../../model/importJob.ts';
import type { ShipAnswersInput } from '../ship/index.ts';

/** Options of the prepare flow (`src/flows/prepare/flow.ts`). */
export interface PrepareOptions {
  azure: AzureOptions;
  staging: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  /** Already mounted, unlocked volumes (`--target`), one per drive in order. */
  targets: string[];
  /** Disks to prepare (`--drive`: serial, device path or drive letter), one per drive in order. */
  drives: string[];
  driveIds: string[];
  bitlockerKeys: string[];
  alreadyEncrypted: boolean;
  alreadyFormatted: boolean;
  /** Make no Azure call: the drive-info XML is for the portal. */
  offline: boolean;
  yes: boolean;
  /** `--all`: offer loop and virtual devices in the disk question too. */
  allDisks?: boolean;
  /** Classic jobs recorded without a location: the Import/Export location (`--location`). */
  location?: string;
  /** `--ship-now` (true) / `--no-ship-now` (false); undefined: asked, or not under `--yes`. */
  shipNow?: boolean;
  /** Shipping and return answers (`--carrier`, `--tracking-number`, `--return-*`...). */
  ship?: ShipAnswersInput;
  /** `--break-lock`: take over a job or disk lock held on another computer. */
  breakLock?: boolean;
  /**
   * `--discard-partial-drive <driveId>`: drives another job of the staging location recorded as
   * partly filled that may be reused (interactively after typing the drive id).
   */
  discardPartialDrives?: string[];
  /** `--give-up-drive <driveId>`: open drives of this job that will not come back (engine/giveUp.ts). */
  giveUpDrives?: string[];
  /** `--proxy` and `--ca-file`, for the preflight probes and the Azure sign-in. */
  proxy?: string;
  caFile?: string;
}
