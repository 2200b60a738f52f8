/**
 * The drive backend of the copy engine's "next target" provider: for each drive the engine
 * needs, release the drive that just ended, take the next `--drive` (or ask which disk: the
 * first drives of a run together, in one multi-select), confirm,
 * take its BitLocker key (`--bitlocker-key` in order, the journal's for a drive being resumed,
 * or ask), then open it (format + BitLocker on Windows, unlock + mount elsewhere) and hand the
 * mounted volume to the engine. Every volume it opened is released by {@link DriveTargets.releaseAll},
 * which the flow calls in a `finally` (also on failure and Ctrl-C).
 */
import type { Choice, Deps } from '../../deps/types.ts';
import { askValid, TRIES } from '../../deps/askValid.ts';
import { DiskprepError, ExitCode, UsageError } from '../../errors.ts';
import { bitLockerKeyProblem } from '../../model/bitlockerKey.ts';
import type { NextTarget, TargetRequest, TargetSpec } from '../../engine/copyJob.ts';
import { count, formatBytes, formatDriveSize, plural } from '../../format.ts';
import { type PreparedDrive, readRecordedDrives } from '../../journal/copyState.ts';
import {
  checkEligible,
  confirmDisk,
  describeDisk,
  listDisks,
  openDrive,
  resolveDisk,
} from '../../disk/index.ts';
import { markHolders } from '../../disk/holders.ts';
import { isDevicePath } from '../../disk/selectDisk.ts';
import { usableSerial } from '../../disk/serial.ts';
import type {
  DiskClaim,
  DiskInfo,
  DriveIdentity,
  KeepPath,
  OpenDriveOptions,
  PreparedVolume,
  RecordedDrive,
} from '../../disk/types.ts';
import { claimDisk, type ClaimOptions, releasingClaim } from '../../disk/diskClaim.ts';
import {
  checkIdentity,
  describeIdentity,
  identifyDisk,
  identityMismatch,
  protectedDriveError,
  sharesIdentity,
} from '../../disk/identity.ts';
import { driveIdProblem, previousDriveSays } from './targets.ts';
import { checkNamedDrives } from './namedDrives.ts';

/** What the command line gave for drives. */
export interface DriveLists {
  drives: string[];
  driveIds: string[];
  bitlockerKeys: string[];
  alreadyEncrypted: boolean;
  alreadyFormatted: boolean;
  yes: boolean;
  /** Offer loop and virtual devices in the disk question. */
  allDisks: boolean;
  /** The staging location and the journal: the disks holding them are refused. */
  keep?: readonly KeepPath[];
  /** `--discard-partial-drive`: partly filled drives of other jobs the operator gives up. */
  discardPartialDrives?: readonly string[];
  /** `--break-lock`: take over a disk lock held on another computer. */
  breakLock?: boolean;
}

/** The job whose drives are filled, and the staging location whose journals record drives. */
export interface DriveJob {
  staging: string;
  name: string;
}

/** The disk seams (tests put stubs here; production uses src/disk). */
export interface DiskSeams {
  listDisks(deps: Deps): Promise<DiskInfo[]>;
  /** Takes the disk for this run (lock, nothing else using it) before anything touches it. */
  claimDisk(deps: Deps, disk: DiskInfo, options: ClaimOptions): Promise<DiskClaim>;
  /** What identifies the disk without unlocking it. */
  identify(deps: Deps, disk: DiskInfo): Promise<DriveIdentity>;
  openDrive(deps: Deps, options: OpenDriveOptions): Promise<PreparedVolume>;
}

const realDisks: DiskSeams = { listDisks, claimDisk, identify: identifyDisk, openDrive };

/** The provider and the volumes it opened. */
export interface DriveTargets {
  next: NextTarget;
  /** Opens one drive for `request` and returns its volume (dry runs stop there). */
  open(request: TargetRequest): Promise<PreparedVolume | undefined>;
  /** Releases every volume opened so far (idempotent; errors are warned, not thrown). */
  releaseAll(): Promise<void>;
}

/** True when a disk carries BitLocker as seen from outside. */
function isEncrypted(d: DiskInfo): boolean {
  return d.bitlocker === 'encrypted' || d.bitlocker === 'locked' || d.bitlocker === 'unlocked';
}

/** One choice line: the device path first, so typing it jumps to the disk. */
function choiceName(d: DiskInfo): string {
  const bl = isEncrypted(d) ? ', BitLocker' : '';
  return `${d.path}: ${d.model} (serial ${d.serial ?? 'none'}, ${formatDriveSize(d.sizeBytes)}, ${d.kind === 'disk' ? d.bus : d.kind}${bl})`;
}

/**
 * Builds the provider. `recorded` are the journal's drives: complete ones are skipped, and a
 * drive being resumed may be unlocked with its recorded key.
 */
export function driveTargets(
  deps: Deps,
  lists: DriveLists,
  job: DriveJob,
  recorded: readonly PreparedDrive[],
  seams: DiskSeams = realDisks,
): DriveTargets {
  const provider = new DiskProvider(deps, lists, job, recorded, seams);
  return {
    open: (req) => provider.open(req),
    next: (req) => provider.next(req),
    releaseAll: () => provider.releaseAll(),
  };
}

/** The disks taken so far and the volumes opened (the state behind {@link DriveTargets}). */
class DiskProvider {
  private readonly deps: Deps;
  private readonly lists: DriveLists;
  private readonly job: DriveJob;
  private readonly recorded: readonly PreparedDrive[];
  private readonly seams: DiskSeams;
  /** Positions in `--drive` already taken (or skipped: complete drives of this job). */
  private readonly used = new Set<number>();
  private readonly usedPaths = new Set<string>();
  private readonly openedIds = new Set<string>();
  private namedChecked = false;
  private readonly opened: PreparedVolume[] = [];
  /** The disks chosen together for the first drives (see askFirstOrNext); undefined: not asked. */
  private chosen: DiskInfo[] | undefined;
  /** The answers for the disks ticked in the multi-select, all asked before any is opened. */
  private readonly answered = new Map<string, OpenDriveOptions>();

  constructor(
    deps: Deps,
    lists: DriveLists,
    job: DriveJob,
    recorded: readonly PreparedDrive[],
    seams: DiskSeams,
  ) {
    this.deps = deps;
    this.lists = lists;
    this.job = job;
    this.recorded = recorded;
    this.seams = seams;
  }

  async next(req: TargetRequest): Promise<TargetSpec | undefined> {
    const v = await this.open(req);
    if (!v) return undefined;
    return {
      path: v.mountPath,
      driveId: v.driveId,
      bitLockerKey: v.bitlockerKey,
      ...(v.encryptionMethod ? { encryptionMethod: v.encryptionMethod } : {}),
      identity: v.identity,
    };
  }

  async releaseAll(): Promise<void> {
    for (const v of this.opened.splice(0)) await this.release(v);
  }

  /** Releases the drive that just ended (if any), picks the disk, claims and opens it. */
  async open(req: TargetRequest): Promise<PreparedVolume | undefined> {
    const { deps } = this;
    // The drive that just ended (full) is released; others may still be filling.
    const prev = req.previous && this.opened.find((v) => v.driveId === req.previous!.driveId);
    if (prev) {
      this.opened.splice(this.opened.indexOf(prev), 1);
      await this.release(prev);
    }
    const picked = await this.pick(req);
    if (!picked) return undefined;
    const { disk, i } = picked;
    // The disk is this run's from here on: refused now if another run or program has it.
    const claim = await this.seams.claimDisk(deps, disk, {
      command: 'prepare',
      ...(this.lists.breakLock ? { breakLock: true } : {}),
    });
    let unlocked: PreparedVolume;
    try {
      const options = req.resumeDriveId
        ? await this.resumeOptions(req, disk, i)
        : (this.takeAnswered(disk) ?? (await this.newDriveOptions(disk, i)));
      unlocked = await this.openAskingKeyAgain(disk, { ...options, claim });
    } catch (err) {
      await claim.release();
      throw err;
    }
    const volume = releasingClaim(unlocked, claim);
    this.openedIds.add(volume.driveId);
    deps.redactor.add(volume.bitlockerKey);
    this.opened.push(volume);
    deps.terminal.info(
      `drive ${req.index + 1} (${volume.driveId}) ${volume.dryRun ? 'would be' : 'is'} ready${volume.dryRun ? '' : ` at ${volume.mountPath}`}: ${formatBytes(volume.fileSystemBytes)} to fill`,
    );
    return volume;
  }

  /**
   * Opens the drive; interactively, a recovery password that does not unlock it (checked before
   * anything is mounted) is explained and asked again, three tries in all.
   */
  private async openAskingKeyAgain(
    disk: DiskInfo,
    options: OpenDriveOptions,
  ): Promise<PreparedVolume> {
    const { deps } = this;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.seams.openDrive(deps, options);
      } catch (err) {
        const wrongKey = err instanceof DiskprepError && err.code === 'ERR_DISKPREP_WRONG_KEY';
        if (!wrongKey || !deps.prompt.interactive || attempt >= TRIES) throw err;
        deps.terminal.warn(`${err.message}; try again (${TRIES - attempt} left)`);
        const key = await askRecoveryPassword(deps, disk, options.driveId ?? '?');
        deps.redactor.add(key);
        options = { ...options, bitlockerKey: key };
      }
    }
  }

  /** The disk for `req`: the next `--drive`, else asked; refused when it cannot be prepared. */
  private async pick(
    req: TargetRequest,
  ): Promise<{ disk: DiskInfo; i: number | undefined } | undefined> {
    const { deps, lists } = this;
    const disks = await markHolders(deps, await this.seams.listDisks(deps), lists.keep ?? []);
    if (!this.namedChecked) {
      await checkNamedDrives(deps, disks, lists);
      this.namedChecked = true;
    }
    const listed = await this.fromList(req, disks);
    const disk =
      listed?.disk ??
      (await this.recordedDisk(req, disks)) ??
      (await this.askFirstOrNext(req, disks));
    if (!disk) return undefined;
    const i = listed?.i;
    if (i !== undefined) this.used.add(i);
    this.usedPaths.add(disk.path);

    const { reasons } = checkEligible(disk, {
      explicitPath: i !== undefined ? isDevicePath(lists.drives[i]!) : lists.allDisks,
    });
    if (reasons.length > 0) {
      throw new UsageError(`refusing ${describeDisk(disk)}: ${reasons.join('; ')}`, {
        code: 'ERR_DISKPREP_DISK_REFUSED',
        hint: 'pick another disk (diskprep drives lists them and why)',
        details: { path: disk.path, reasons },
      });
    }
    return { disk, i };
  }

  private async release(v: PreparedVolume): Promise<void> {
    try {
      await v.release();
    } catch (err) {
      this.deps.terminal.warn(
        `releasing drive ${v.driveId} failed: ${(err as Error).message}; check nothing of it is still mounted`,
      );
    }
  }

  /** The named disk for this request, by position in `--drive`, or undefined. */
  private async fromList(
    req: TargetRequest,
    disks: DiskInfo[],
  ): Promise<{ i: number; disk: DiskInfo } | undefined> {
    const { lists } = this;
    for (let i = 0; i < lists.drives.length; i++) {
      if (this.used.has(i)) continue;
      const disk = await resolveDisk(this.deps, disks, lists.drives[i]!);
      const id = lists.driveIds[i] ?? usableSerial(disk.serial);
      if (req.resumeDriveId !== undefined) {
        // The drive being resumed: named by its --drive-id, by its serial (also the serial
        // recorded when --drive-id named a USB bridge's disk), or a disk with no serial, whose
        // recorded identity is checked before anything is opened.
        const recordedSerial = req.resumeIdentity?.serial;
        if (
          id === undefined ||
          id === req.resumeDriveId ||
          (lists.driveIds[i] === undefined && recordedSerial !== undefined && id === recordedSerial)
        )
          return { i, disk };
        continue;
      }
      if (id !== undefined && this.recorded.some((r) => r.driveId === id)) {
        this.used.add(i);
        continue;
      }
      return { i, disk };
    }
    return undefined;
  }

  /**
   * The drive being resumed, found among the disks that would be offered by what the journal
   * recorded of it (every identifier known agrees, a BitLocker volume GUID or serial among
   * them): the same command after Ctrl-C picks up the drives chosen in the first run without
   * asking again. Undefined (then asked) when none or several match (the model too), or nothing
   * strong was recorded; the NTFS serial is still checked when it is opened.
   */
  private async recordedDisk(req: TargetRequest, disks: DiskInfo[]): Promise<DiskInfo | undefined> {
    const recorded = req.resumeIdentity;
    if (req.resumeDriveId === undefined || recorded === undefined) return undefined;
    const found: { disk: DiskInfo; model: string | undefined }[] = [];
    for (const d of this.offered(disks)) {
      if (this.refusals(d).length > 0) continue;
      const actual = await this.seams.identify(this.deps, d);
      if (sharesIdentity(recorded, actual) && identityMismatch(recorded, actual) === undefined)
        found.push({ disk: d, model: actual.model });
    }
    // Copies of one volume (a cloned disk, or loop devices on copies of one image): the model
    // too (a loop device's names its backing file), else asked.
    const same = found.length > 1 ? found.filter((f) => f.model === recorded.model) : found;
    return same.length === 1 ? same[0]!.disk : undefined;
  }

  /**
   * The disk for a request no `--drive` answers. The first new drives of a run are asked
   * together: with two or more usable disks (SATA/USB disks, and the loop and virtual devices
   * `--all` adds: the operator asked to be offered those), one multi-select, every question
   * about the disks ticked (see answerTicked), then each in turn, in the list's order; with one,
   * the single question. Once those are given, the other first requests get
   * none (undefined); a drive that completes later asks for the next with one question.
   */
  private async askFirstOrNext(
    req: TargetRequest,
    disks: DiskInfo[],
  ): Promise<DiskInfo | undefined> {
    const first = req.resumeDriveId === undefined && req.previous === undefined;
    if (!first || this.lists.drives.length > 0 || !this.deps.prompt.interactive)
      return this.ask(req, disks);
    if (this.chosen === undefined) {
      const choices = this.diskChoices(disks);
      const usable = choices.filter((c) => c.disabled === undefined);
      if (usable.length < 2) {
        this.chosen = [];
        return this.ask(req, disks);
      }
      this.chosen = await this.deps.prompt.checklist({
        message: `Which disks should be filled? They are filled at the same time (${count(req.remaining.files, 'file')}, ${formatBytes(req.remaining.bytes)} to copy); each is confirmed before it is touched`,
        flag: '--drive',
        choices,
        // Enter on a disk without Space is the likely slip: said in one line, asked again.
        required: 'no disk ticked: press Space on each disk to fill, then Enter (Ctrl-C stops)',
      });
      if (this.chosen.length === 0)
        throw new DiskprepError('no disk chosen: nothing was touched', ExitCode.failure, {
          code: 'ERR_DISKPREP_NOT_CONFIRMED',
          hint: 'run the same command again and pick the disks with Space, then Enter (or name them with --drive)',
        });
      this.chosen = await this.answerTicked(this.chosen);
    }
    return this.chosen.shift();
  }

  /**
   * Every question about the disks ticked (drive id, confirmation, key), disk by disk, before
   * any is opened: the operator answers once and can leave while they are unlocked, formatted
   * and filled. A no leaves that disk as it was and the others go on; a no to the last one left
   * stops the run as a single question's does. Returns the disks confirmed, in order.
   */
  private async answerTicked(ticked: DiskInfo[]): Promise<DiskInfo[]> {
    const kept: DiskInfo[] = [];
    for (const [n, d] of ticked.entries()) {
      try {
        this.answered.set(d.path, await this.newDriveOptions(d, undefined));
        kept.push(d);
      } catch (err) {
        const declined = err instanceof DiskprepError && err.code === 'ERR_DISKPREP_NOT_CONFIRMED';
        if (!declined || (kept.length === 0 && n === ticked.length - 1)) throw err;
        this.deps.terminal.warn(`${err.message}; going on with the other disks ticked`);
      }
    }
    return kept;
  }

  /** The answers given up front for a ticked disk, taken once (they are that opening's only). */
  private takeAnswered(disk: DiskInfo): OpenDriveOptions | undefined {
    const options = this.answered.get(disk.path);
    this.answered.delete(disk.path);
    return options;
  }

  private async ask(req: TargetRequest, disks: DiskInfo[]): Promise<DiskInfo> {
    const { deps } = this;
    const what = req.resumeDriveId
      ? `Drive ${req.resumeDriveId} was being filled when the copy stopped: which disk is it?`
      : req.previous
        ? `${previousDriveSays(req.previous)} and released; ${count(req.remaining.files, 'file')} (${formatBytes(req.remaining.bytes)}) ${plural(req.remaining.files, 'remains', 'remain')}. Attach drive ${req.index + 1}: which disk?`
        : `Which disk should be drive ${req.index + 1} of the job?`;
    if (!deps.prompt.interactive) throw needsDrive(req);
    const choices = this.diskChoices(disks);
    return deps.prompt.select({ message: what, flag: '--drive', choices });
  }

  /** The disks not taken yet that a question offers: disks, and with `--all` loop and virtual devices. */
  private offered(disks: DiskInfo[]): DiskInfo[] {
    const { allDisks } = this.lists;
    return disks.filter(
      (d) => !this.usedPaths.has(d.path) && (d.kind === 'disk' || (allDisks && d.sizeBytes > 0)),
    );
  }

  /** Why a disk offered in a question cannot be prepared (none: it can). */
  private refusals(d: DiskInfo): string[] {
    return checkEligible(d, { explicitPath: this.lists.allDisks && d.kind !== 'disk' }).reasons;
  }

  /** The disks to offer (usable first, the others greyed with why); refuses when none is usable. */
  private diskChoices(disks: DiskInfo[]): Choice<DiskInfo>[] {
    const choices = this.offered(disks)
      .map((d) => {
        const reasons = this.refusals(d);
        return {
          name: choiceName(d),
          value: d,
          flagValue: d.serial ?? d.path,
          ...(reasons.length ? { disabled: reasons.join('; ') } : {}),
        };
      })
      // Usable disks first: the list can be long on a machine with loop devices.
      .sort((a, b) => Number(a.disabled !== undefined) - Number(b.disabled !== undefined));
    if (!choices.some((c) => c.disabled === undefined)) {
      throw new UsageError('no attached disk can be prepared', {
        code: 'ERR_DISKPREP_NO_DISK',
        hint: 'attach the drive (SATA, or a USB-SATA adapter), then run the same command again; diskprep drives --all says why each disk is refused',
      });
    }
    return choices;
  }

  /** The recorded drives of every job here, split into this job's and the others' partial ones. */
  private async journals(): Promise<{ own: RecordedDrive[]; others: RecordedDrive[] }> {
    const { job } = this;
    const all = await readRecordedDrives(this.deps, job.staging);
    return {
      own: all.filter((d) => d.job === job.name),
      others: all.filter((d) => d.job !== job.name && !d.complete),
    };
  }

  /** The key given for `--drive` number i, else the journal's for `driveId`, else asked. */
  private async keyFor(disk: DiskInfo, i: number | undefined, driveId: string): Promise<string> {
    const { deps } = this;
    let key =
      (i !== undefined ? this.lists.bitlockerKeys[i] : undefined) ??
      this.recorded.find((r) => r.driveId === driveId)?.bitLockerKey;
    if (key === undefined) {
      key = await askRecoveryPassword(deps, disk, driveId);
    }
    deps.redactor.add(key);
    return key;
  }

  /**
   * A drive the journal records as partly filled: the disk must be that drive (every identifier
   * recorded agrees), and it is unlocked and filled on, never cleared, formatted or encrypted
   * again, with no confirmation and the drive id and key from the journal.
   */
  private async resumeOptions(
    req: TargetRequest,
    disk: DiskInfo,
    i: number | undefined,
  ): Promise<OpenDriveOptions> {
    const driveId = req.resumeDriveId!;
    const actual = await this.seams.identify(this.deps, disk);
    const { own, others } = await this.journals();
    const protectedDrives = [...own.filter((d) => d.driveId !== driveId), ...others];
    checkIdentity(disk.path, actual, {
      expect: { driveId, identity: req.resumeIdentity },
      protectedDrives,
    });
    const key = await this.keyFor(disk, i, driveId);
    this.deps.terminal.info(
      `resuming drive ${driveId} on ${disk.path}${req.resumeIdentity ? ` (${describeIdentity(req.resumeIdentity)}: as recorded)` : ''}: unlocked and filled on, not formatted`,
    );
    return {
      spec: disk.path,
      alreadyEncrypted: true,
      alreadyFormatted: true,
      bitlockerKey: key,
      driveId,
      ...(req.resumeIdentity ? { expect: req.resumeIdentity } : {}),
      protectedDrives,
      ...(this.lists.keep ? { keep: this.lists.keep } : {}),
      ...(i === undefined ? { pickedFromList: true } : {}),
      confirm: () => Promise.resolve(true),
    };
  }

  /** A new drive: not one any journal records (unless discarded), confirmed, keyed. */
  private async newDriveOptions(disk: DiskInfo, i: number | undefined): Promise<OpenDriveOptions> {
    const { deps, lists } = this;
    const actual = await this.seams.identify(deps, disk);
    const { own, others } = await this.journals();
    // A bridge's placeholder serial is no drive id: the operator gives the label's.
    const given = (i !== undefined ? lists.driveIds[i] : undefined) ?? usableSerial(disk.serial);
    const isDrive = (d: RecordedDrive): boolean =>
      d.identity !== undefined ? sharesIdentity(d.identity, actual) : d.driveId === given;
    const mine = own.find(isDrive);
    if (mine) throw protectedDriveError(disk.path, mine, true);
    const theirs = others.find(isDrive);
    if (theirs) await this.discardOrRefuse(disk, theirs);
    const protectedDrives = [...own, ...others.filter((d) => d !== theirs)];
    const driveId = given ?? (await askDriveId(deps, disk));
    const answeredIds = [...this.answered.values()].map((o) => o.driveId);
    if (
      this.openedIds.has(driveId) ||
      answeredIds.includes(driveId) ||
      own.some((r) => r.driveId === driveId)
    ) {
      throw new UsageError(`drive id ${driveId} is already a drive of this job`, {
        code: 'ERR_DISKPREP_DUPLICATE_DRIVE_ID',
        hint:
          i !== undefined && lists.driveIds[i] !== undefined
            ? `--drive-id number ${i + 1} repeats it: give the serial printed on this drive's own label`
            : "pass --drive-id with the serial printed on this drive's label",
        details: { path: disk.path },
      });
    }

    // Linux cannot encrypt: a BitLocker disk there is necessarily an already encrypted one.
    const alreadyEncrypted =
      lists.alreadyEncrypted || (deps.platform !== 'win32' && isEncrypted(disk));
    await this.confirmNew(disk, i);
    const key = alreadyEncrypted ? await this.keyFor(disk, i, driveId) : undefined;
    return {
      spec: disk.path,
      alreadyEncrypted,
      alreadyFormatted: lists.alreadyFormatted,
      ...(key !== undefined ? { bitlockerKey: key } : {}),
      driveId,
      protectedDrives,
      ...(lists.keep ? { keep: lists.keep } : {}),
      ...(i === undefined ? { pickedFromList: true } : {}),
      confirm: () => Promise.resolve(true),
    };
  }

  /** The operator's yes to (erase and) prepare a new drive (`--yes` and `--drive` count). */
  private async confirmNew(disk: DiskInfo, i: number | undefined): Promise<void> {
    const ok = await confirmDisk(this.deps, {
      yes: this.lists.yes,
      named: i !== undefined,
      erase: !this.lists.alreadyFormatted,
    })(disk);
    if (!ok) {
      throw new DiskprepError(`not confirmed: ${disk.path} was left as it was`, ExitCode.failure, {
        code: 'ERR_DISKPREP_NOT_CONFIRMED',
        hint: 'run the same command again and name the disk to prepare (--drive)',
      });
    }
  }

  /**
   * Another job's partly filled drive: refused, unless named with --discard-partial-drive and,
   * interactively, its drive id typed back.
   */
  private async discardOrRefuse(disk: DiskInfo, d: RecordedDrive): Promise<void> {
    const { deps } = this;
    if (!(this.lists.discardPartialDrives ?? []).includes(d.driveId))
      throw protectedDriveError(disk.path, d, false);
    if (deps.prompt.interactive) {
      const typed = await deps.prompt.text({
        message: `${disk.path} is drive ${d.driveId} of job "${d.job}", partly filled (${count(d.files, 'file')}). Type ${d.driveId} to throw that copy away and use the disk for job "${this.job.name}"`,
        flag: '--discard-partial-drive',
      });
      if (typed.trim() !== d.driveId) {
        throw new DiskprepError(
          `not confirmed: drive ${d.driveId} of job "${d.job}" was left as it was`,
          ExitCode.failure,
          {
            code: 'ERR_DISKPREP_NOT_CONFIRMED',
            hint: `give another disk, or type ${d.driveId} exactly to discard it`,
          },
        );
      }
    }
    deps.terminal.warn(
      `discarding drive ${d.driveId} of job "${d.job}" (${count(d.files, 'file')} copied): that job's journal still lists it, so give that job another drive`,
    );
  }
}

/** The recovery password of `disk`, typed (hidden) and checked, three tries. */
function askRecoveryPassword(deps: Deps, disk: DiskInfo, driveId: string): Promise<string> {
  return askValid(deps, {
    message: `BitLocker recovery password of ${disk.path} (drive ${driveId}, 48 digits)`,
    flag: '--bitlocker-key',
    secret: true,
    check: (v) => bitLockerKeyProblem(v) ?? true,
  });
}

/** The drive id of a disk that reports no usable serial: the one on its label, asked. */
async function askDriveId(deps: Deps, disk: DiskInfo): Promise<string> {
  const why =
    disk.serial === undefined
      ? 'reports no serial number'
      : `reports the placeholder serial ${disk.serial} (a USB bridge's, not the drive's)`;
  return (
    await askValid(deps, {
      message: `${disk.path} ${why}: drive id (the serial on the drive's label, no spaces)`,
      flag: '--drive-id',
      check: (v) => driveIdProblem(v) ?? true,
    })
  ).trim();
}

/** Exit 3: a non-interactive run needs one more drive; the same command then resumes. */
function needsDrive(req: TargetRequest): DiskprepError {
  const what = req.resumeDriveId
    ? `drive ${req.resumeDriveId} (drive ${req.index + 1}) was being filled when the copy stopped`
    : `drive ${req.index + 1} is needed`;
  return new DiskprepError(
    `${what}: ${count(req.remaining.files, 'file')} (${formatBytes(req.remaining.bytes)}) ${plural(req.remaining.files, 'remains', 'remain')} to copy`,
    ExitCode.needsAnswer,
    {
      code: 'ERR_DISKPREP_NEEDS_DRIVE',
      hint: req.resumeDriveId
        ? `attach it and pass --drive <disk> for it (or --target <its mounted folder>): the same command resumes where it stopped`
        : 'attach another drive and run the same command with one more --drive <disk> (and its --bitlocker-key), or --target <folder>: it resumes where it stopped',
      details: {
        drive: req.index + 1,
        remainingFiles: req.remaining.files,
        remainingBytes: req.remaining.bytes,
        ...(req.resumeDriveId ? { resumeDriveId: req.resumeDriveId } : {}),
      },
    },
  );
}
