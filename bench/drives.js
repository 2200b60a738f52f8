// The `drives` scenario of npm run bench: K = 1, 2, 4 drives filled at once, each an ext4
// volume on its own loop device whose writes are throttled to a fixed rate with a cgroup v1
// blkio limit (blkio.throttle.write_bps_device "MAJ:MIN BYTES/s" on the loop device: it
// throttles the direct-I/O writes diskprep makes of large files). The same data each time;
// the wall time is compared with the ideal total / (K × rate). Root and cgroup v1 only.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MiB = 1024 * 1024;
const CGROUP = '/sys/fs/cgroup/blkio';

/** Whether this machine can run the scenario (root, cgroup v1 blkio). */
export function canThrottle() {
  return process.getuid?.() === 0 && fs.existsSync(path.join(CGROUP, 'cgroup.procs'));
}

/** An ext4 volume of `sizeMiB` on a fresh loop device, mounted under `root`. */
function makeVolume(root, name, sizeMiB) {
  const image = path.join(root, `${name}.img`);
  const mnt = path.join(root, name);
  fs.mkdirSync(mnt);
  fs.writeFileSync(image, '');
  fs.truncateSync(image, sizeMiB * MiB);
  const dev = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', dev]);
  execFileSync('mount', [dev, mnt]);
  const majMin = fs.readFileSync(`/sys/block/${path.basename(dev)}/dev`, 'utf8').trim();
  return {
    dev,
    mnt,
    majMin,
    dispose() {
      spawnSync('umount', [mnt]);
      spawnSync('losetup', ['-d', dev]);
      fs.rmSync(image, { force: true });
      fs.rmSync(mnt, { recursive: true, force: true });
    },
  };
}

/** A blkio cgroup limiting writes to each of `majMins` to `bytesPerSec`. */
function makeCgroup(name, majMins, bytesPerSec) {
  const dir = path.join(CGROUP, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const mm of majMins)
    fs.writeFileSync(path.join(dir, 'blkio.throttle.write_bps_device'), `${mm} ${bytesPerSec}`);
  return {
    procs: path.join(dir, 'cgroup.procs'),
    dispose() {
      for (const mm of majMins) {
        try {
          fs.writeFileSync(path.join(dir, 'blkio.throttle.write_bps_device'), `${mm} 0`);
        } catch {
          // the device is gone already
        }
      }
      try {
        fs.rmdirSync(dir);
      } catch {
        // still has a process: removed by the next run
      }
    },
  };
}

/**
 * Runs the scenario. `ctx` gives the bench's helpers: root (a temp folder), staging(name),
 * writeRandomFile(file, size), timed(label, cmd, args), bin, key, log, row(...), scale.
 */
export function runDrives(ctx) {
  const rateMB = Number(process.env.BENCH_DRIVE_MBPS ?? 10);
  const rate = rateMB * 1e6;
  // 16 MiB files (direct I/O, several chunks each): 40 at full scale, 640 MiB in all, a
  // multiple of 4 so every K splits them evenly; enough that start-up is small beside the copy.
  const count = Math.max(8, 4 * Math.round(10 * ctx.scale));
  const fileSize = 16 * MiB;
  const total = count * fileSize;
  ctx.log(
    `drives: ${count} files of 16 MiB (${(total / MiB).toFixed(0)} MiB) onto K = 1, 2, 4 ext4 loop volumes, each throttled to ${rateMB} MB/s`,
  );
  const s = ctx.staging('drives', 'block');
  for (let i = 0; i < count; i++)
    ctx.writeRandomFile(path.join(s, 'data', `f${String(i).padStart(3, '0')}.bin`), fileSize);
  const results = new Map();
  for (const k of [1, 2, 4]) {
    const per = Math.ceil(total / k / MiB) + 64;
    const vols = [];
    let cg;
    try {
      for (let i = 0; i < k; i++) vols.push(makeVolume(ctx.root, `k${k}-d${i + 1}`, per + per / 4));
      cg = makeCgroup(
        `diskprep-bench-k${k}`,
        vols.map((v) => v.majMin),
        rate,
      );
      const args = [`s:${s}`];
      vols.forEach((v, i) => args.push('--target', v.mnt, '--drive-id', `BENCH${k}D${i + 1}`));
      for (let i = 0; i < k; i++) args.push('--bitlocker-key', ctx.key);
      args.push('--offline', '--yes');
      ctx.resetJob(s);
      // The copy runs in the cgroup: the shell joins it, then becomes diskprep.
      const r = ctx.timed(`diskprep onto ${k} ${k === 1 ? 'drive' : 'drives'}`, 'sh', [
        '-c',
        `echo $$ > ${cg.procs} && exec "$@"`,
        'sh',
        ctx.bin,
        ...args,
      ]);
      results.set(k, r);
      const ideal = total / (k * rate);
      ctx.row(
        'drives',
        `K = ${k}: wall vs ideal ${ideal.toFixed(1)} s (${(total / 1e6).toFixed(0)} MB / (${k} × ${rateMB} MB/s))`,
        r.secs,
        ideal,
        k === 4 ? '≤ 1.15× ideal, RSS ≤ 200 MiB' : undefined,
        r.rss,
      );
    } finally {
      ctx.resetJob(s);
      for (const v of vols) v.dispose();
      cg?.dispose();
    }
  }
  const one = results.get(1);
  const four = results.get(4);
  if (one && four)
    ctx.rows.push({
      scenario: 'drives',
      what: 'K = 1 wall / K = 4 wall (speed-up)',
      secs: four.secs,
      ratio: one.secs / four.secs,
      target: '≥ 3.4×',
      rss: undefined,
    });
  fs.rmSync(s, { recursive: true, force: true });
}
