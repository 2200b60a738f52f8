#!/usr/bin/env node
// Copy-engine benchmark: diskprep's copy (the built binary, end to end) side by side with
// `cp -r` and `cp -r && md5sum`, on the same disk, page cache dropped before each run (root).
//
//   npm run bench                      full size (4 GiB file, 1000 × 3 MiB, 100k × 4 KiB,
//                                      8 GiB sparse page file), and start-up: `--help` of the
//                                      single executable (release/, `npm run package`) beside
//                                      the npm-installed bin
//   BENCH_SCALE=0.25 npm run bench     everything scaled down
//   BENCH_ONLY=startup,large,medium,small,sparse,drives  pick scenarios; BENCH_FULL=1 adds the RSS runs
//                                      (a 20 GiB file and 1M files)
//   BENCH_DIR=/mnt/x                   where to put the data (default: the OS temp dir)
//   BENCH_DRIVE_MBPS=10                drives: each loop volume's write limit (MB/s)
//   BENCH_REPEAT=n                     large-file runs per variant, interleaved (default 3):
//                                      the median is reported, with the range
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canThrottle, runDrives } from './drives.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin', 'diskprep.js');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ONLY = (process.env.BENCH_ONLY ?? 'startup,large,medium,small,sparse,drives').split(',');
const FULL = process.env.BENCH_FULL === '1';
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const KEY = '111111-222222-333333-444444-555555-666666-000011-000022';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'diskprep-bench-'));
const isRoot = process.getuid?.() === 0;
const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const rows = [];

function log(s) {
  process.stderr.write(`${s}\n`);
}
function dropCaches() {
  spawnSync('sync');
  if (isRoot && process.platform === 'linux') fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
  // Let the disk settle (ext4 here is mounted with discard: deleting the last run's copy trims).
  spawnSync('sleep', ['1']);
}
function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
}
/** Runs a command cold; returns seconds and peak RSS (MiB) of the process tree's largest member. */
function timed(label, cmd, args, env = {}) {
  dropCaches();
  const out = path.join(root, 'time.txt');
  const argv = gnuTime ? ['-f', '%e %M', '-o', out, cmd, ...args] : args;
  const t0 = performance.now();
  const r = spawnSync(gnuTime ?? cmd, argv, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr}`);
  let rss;
  if (gnuTime) rss = Number(fs.readFileSync(out, 'utf8').trim().split(/\s+/).pop()) / 1024;
  spawnSync('sync');
  log(`  ${label}: ${wall.toFixed(2)} s${rss ? `, peak RSS ${rss.toFixed(0)} MiB` : ''}`);
  return { secs: wall, rss };
}
function staging(name, blobType = 'auto') {
  const s = path.join(root, name);
  fs.mkdirSync(path.join(s, '.diskprep', 'jobs'), { recursive: true });
  fs.mkdirSync(path.join(s, '.diskprep', 'journal', 'bench'), { recursive: true });
  fs.writeFileSync(
    path.join(s, '.diskprep', 'jobs', 'bench.json'),
    JSON.stringify({
      version: 1,
      name: 'bench',
      service: 'offline',
      storageAccount: 'benchacct',
      container: 'bench',
      blobType,
      data: 'data',
      createdAt: new Date().toISOString(),
    }),
  );
  fs.writeFileSync(
    path.join(s, '.diskprep', 'journal', 'bench', 'secrets.json'),
    JSON.stringify({ storageAccountKey: Buffer.alloc(64, 7).toString('base64') }),
    { mode: 0o600 },
  );
  fs.mkdirSync(path.join(s, 'data'));
  return s;
}
function diskprep(label, s, env = {}) {
  const target = path.join(root, 'target');
  rmrf(path.join(s, '.diskprep', 'journal', 'bench', 'copy-state.json'));
  rmrf(target);
  fs.mkdirSync(target);
  const r = timed(
    label,
    bin,
    [
      `s:${s}`,
      '--target',
      target,
      '--drive-id',
      'BENCH1',
      '--bitlocker-key',
      KEY,
      '--offline',
      '--yes',
    ],
    env,
  );
  rmrf(target);
  resetJob(s);
  return r;
}
/** Forgets the bench job's copy (journal files but its secrets). */
function resetJob(s) {
  for (const f of fs.readdirSync(path.join(s, '.diskprep', 'journal', 'bench'))) {
    if (f !== 'secrets.json') rmrf(path.join(s, '.diskprep', 'journal', 'bench', f));
  }
}
function cp(label, src, withMd5) {
  const dst = path.join(root, 'cp-target');
  rmrf(dst);
  const script =
    withMd5 === 'sync'
      ? 'cp -r "$1" "$2" && sync'
      : withMd5
        ? 'cp -r "$1" "$2" && find "$2" -type f -exec md5sum {} + > /dev/null'
        : 'cp -r "$1" "$2"';
  const r = timed(label, 'sh', ['-c', script, 'sh', src, dst]);
  rmrf(dst);
  return r;
}
function writeRandomFile(file, size) {
  const buf = Buffer.allocUnsafe(64 * MiB);
  randomFillSync(buf);
  const fd = fs.openSync(file, 'w');
  for (let off = 0; off < size; off += buf.length) {
    buf.writeUInt32LE(off / buf.length, 0); // chunks differ
    fs.writeSync(fd, buf, 0, Math.min(buf.length, size - off), off);
  }
  fs.closeSync(fd);
}
function row(scenario, what, secs, base, target, rss) {
  rows.push({ scenario, what, secs, ratio: base ? secs / base : undefined, target, rss });
}

const load0 = os.loadavg();
log(
  `diskprep bench: scale ${SCALE}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}, data in ${root}`,
);
log(
  `load average at start: ${load0.map((x) => x.toFixed(2)).join(' ')}${isRoot ? '' : ' (not root: page cache NOT dropped between runs)'}`,
);

/** CPU seconds (user + system) of this process's reaped children so far (Linux /proc). */
function childrenCpu() {
  if (process.platform !== 'linux') return 0;
  // Fields after the command name: cutime and cstime are the 14th and 15th, in clock ticks.
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * Wall time of `cmd args` with a warm page cache: `runs` runs per command, interleaved so that
 * load from other processes falls on all alike; median and fastest, in seconds, and the mean CPU
 * time (user + system), which the machine's load disturbs less than the wall time.
 */
function startupTimes(commands, runs) {
  const times = commands.map(() => []);
  const cpu = commands.map(() => 0);
  for (let r = 0; r < runs + 2; r++) {
    commands.forEach(([cmd, args], i) => {
      const c0 = childrenCpu();
      const t0 = performance.now();
      const res = spawnSync(cmd, args, { stdio: 'ignore' });
      if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status})`);
      // The first two rounds warm the page cache (the executable is 128 MiB) and are not counted.
      if (r >= 2) {
        times[i].push((performance.now() - t0) / 1000);
        cpu[i] += childrenCpu() - c0;
      }
    });
  }
  return times.map((xs, i) => {
    xs.sort((a, b) => a - b);
    return { median: xs[Math.floor(xs.length / 2)], min: xs[0], cpu: cpu[i] / runs };
  });
}

try {
  if (ONLY.includes('startup')) {
    const sea = path.join(repo, 'release', 'diskprep-linux-x64');
    log('startup: diskprep --help, warm cache, 31 runs each, interleaved');
    const commands = [
      ['npm-installed (bin/diskprep.js on node)', bin],
      ['single executable (release/diskprep-linux-x64)', sea],
      ["node -e 0 (Node's own floor)", process.execPath, ['-e', '0']],
    ].filter(([, file]) => fs.existsSync(file));
    if (!fs.existsSync(sea)) log('  no release/diskprep-linux-x64: run `npm run package` first');
    const times = startupTimes(
      commands.map(([, cmd, args]) => [cmd, args ?? ['--help']]),
      31,
    );
    const base = times[0].median;
    commands.forEach(([what], i) => {
      const { median, min, cpu } = times[i];
      const ms = (x) => `${(x * 1000).toFixed(0)} ms`;
      log(`  ${what}: median ${ms(median)}, fastest ${ms(min)}, CPU ${ms(cpu)} a run`);
      const target = what.startsWith('single') ? '≤ 0.12 s' : undefined;
      row('startup', `${what} (fastest ${ms(min)}, CPU ${ms(cpu)})`, median, base, target);
    });
  }
  if (ONLY.includes('large')) {
    const size = Math.max(64 * MiB, Math.round((4 * GiB * SCALE) / MiB) * MiB);
    log(`large: one ${(size / GiB).toFixed(2)} GiB file`);
    const s = staging('large', 'block');
    writeRandomFile(path.join(s, 'data', 'big.bin'), size);
    // The first run after generating the data was always slower (order effect): a throwaway
    // cp -r goes first. The disk of a shared VM varies run to run (cp -r alone: 4.9–10.9 s for
    // the same 4 GiB), so every variant runs REPEAT times, interleaved, and the median counts.
    cp('cp -r (warm-up, not counted)', path.join(s, 'data'), false);
    const variants = [
      ['cp -r', () => cp('cp -r', path.join(s, 'data'), false)],
      [
        'cp -r && sync (durable, like diskprep)',
        () => cp('cp -r && sync', path.join(s, 'data'), 'sync'),
      ],
      ['cp -r && md5sum', () => cp('cp -r && md5sum', path.join(s, 'data'), true)],
      [
        'diskprep (default: direct I/O, a worker per core, 8 chunks in flight)',
        () => diskprep('diskprep default', s),
      ],
      [
        'diskprep, buffered I/O',
        () => diskprep('diskprep buffered', s, { DISKPREP_DIRECT_IO: '0' }),
      ],
      [
        'diskprep, 1 chunk in flight per worker',
        () => diskprep('diskprep 1 chunk per worker', s, { DISKPREP_CHUNKS_PER_WORKER: '1' }),
      ],
      [
        'diskprep, main thread only (MD5 on one core)',
        () =>
          diskprep('diskprep main thread', s, {
            DISKPREP_COPY_WORKERS: '0',
            DISKPREP_CHUNKS_PER_WORKER: '4',
          }),
      ],
    ];
    const runs = new Map(variants.map(([name]) => [name, []]));
    for (let r = 0; r < REPEAT; r++) for (const [name, run] of variants) runs.get(name).push(run());
    const med = (name) => {
      const xs = runs
        .get(name)
        .map((x) => x.secs)
        .sort((a, b) => a - b);
      const rss = Math.max(...runs.get(name).map((x) => x.rss ?? 0));
      return {
        secs: xs[Math.floor(xs.length / 2)],
        range: `${xs[0].toFixed(2)}–${xs.at(-1).toFixed(2)}`,
        rss,
      };
    };
    const c = med('cp -r');
    const cm = med('cp -r && md5sum');
    for (const [name] of variants) {
      const m = med(name);
      const what = REPEAT > 1 ? `${name} (${m.range} s)` : name;
      const target = name.startsWith('diskprep (default') ? '≤ 1.25× cp -r' : undefined;
      row('large', what, m.secs, c.secs, target, m.rss);
      if (name.startsWith('diskprep (default'))
        rows.push({
          scenario: 'large',
          what: 'diskprep (default) vs cp -r && md5sum',
          secs: m.secs,
          ratio: m.secs / cm.secs,
          target: '≤ 0.6×',
          rss: undefined,
        });
    }
    log(
      `  throughput diskprep (median): ${variants
        .filter(([n]) => n.startsWith('diskprep'))
        .map(([n]) => `${n} ${(size / MiB / med(n).secs).toFixed(0)} MiB/s`)
        .join('; ')}`,
    );
    rmrf(s);
  }
  if (ONLY.includes('medium')) {
    // Files of one 4 MiB chunk or less (photos, documents): no parallelism inside a file.
    const n = Math.max(100, Math.round(1000 * SCALE));
    log(`medium: ${n} files of 3 MiB`);
    const s = staging('medium', 'block');
    const buf = Buffer.allocUnsafe(3 * MiB);
    randomFillSync(buf);
    for (let i = 0; i < n; i++) {
      const dir = path.join(s, 'data', `d${String(Math.floor(i / 100)).padStart(3, '0')}`);
      if (i % 100 === 0) fs.mkdirSync(dir);
      buf.writeUInt32LE(i, 0);
      fs.writeFileSync(path.join(dir, `p${String(i).padStart(5, '0')}.jpg`), buf);
    }
    cp('cp -r (warm-up, not counted)', path.join(s, 'data'), false);
    const c = cp('cp -r', path.join(s, 'data'), false);
    const cm = cp('cp -r && md5sum', path.join(s, 'data'), true);
    const d = diskprep('diskprep', s);
    const db = diskprep('diskprep buffered', s, { DISKPREP_DIRECT_IO: '0' });
    row('medium', 'cp -r', c.secs, c.secs, undefined, c.rss);
    row('medium', 'cp -r && md5sum', cm.secs, c.secs, undefined, cm.rss);
    row('medium', 'diskprep', d.secs, c.secs, undefined, d.rss);
    row('medium', 'diskprep, buffered I/O', db.secs, c.secs, undefined, db.rss);
    rmrf(s);
  }
  if (ONLY.includes('small')) {
    const n = Math.max(1000, Math.round(100_000 * SCALE));
    log(`small: ${n} files of 4 KiB`);
    const s = staging('small', 'block');
    const buf = Buffer.allocUnsafe(4096);
    for (let i = 0; i < n; i++) {
      const dir = path.join(s, 'data', `d${String(Math.floor(i / 1000)).padStart(4, '0')}`);
      if (i % 1000 === 0) fs.mkdirSync(dir);
      randomFillSync(buf, 0, 16);
      fs.writeFileSync(path.join(dir, `f${String(i).padStart(7, '0')}.bin`), buf);
    }
    cp('cp -r (warm-up, not counted)', path.join(s, 'data'), false);
    const c = cp('cp -r', path.join(s, 'data'), false);
    // Interleaved: the shared VM's disk and CPUs drift between runs; the medians count.
    const syncs = [];
    const runs = [];
    for (let r = 0; r < REPEAT; r++) {
      syncs.push(cp('cp -r && sync', path.join(s, 'data'), 'sync'));
      runs.push(diskprep('diskprep', s));
    }
    const median = (xs) => {
      const v = xs.map((x) => x.secs).sort((a, b) => a - b);
      return {
        secs: v[Math.floor(v.length / 2)],
        range: `${v[0].toFixed(2)}–${v.at(-1).toFixed(2)}`,
      };
    };
    const cs = median(syncs);
    const d = median(runs);
    const rss = Math.max(...runs.map((x) => x.rss ?? 0));
    row('small', 'cp -r', c.secs, c.secs, undefined, c.rss);
    row('small', `cp -r && sync (${cs.range} s)`, cs.secs, c.secs, undefined, undefined);
    row('small', `diskprep (${d.range} s)`, d.secs, c.secs, undefined, rss);
    rows.push({
      scenario: 'small',
      what: 'diskprep vs cp -r && sync (medians)',
      secs: d.secs,
      ratio: d.secs / cs.secs,
      target: '≤ 1.5×',
      rss: undefined,
    });
    rmrf(s);
  }
  if (ONLY.includes('sparse')) {
    const size = Math.max(256 * MiB, Math.round((8 * GiB * SCALE) / (4 * MiB)) * 4 * MiB);
    const data = size / 16;
    log(
      `sparse: ${(size / GiB).toFixed(2)} GiB page file holding ${(data / MiB).toFixed(0)} MiB of data, vs the same size dense`,
    );
    const s = staging('sparse', 'page');
    const file = path.join(s, 'data', 'disk.AIBBlob');
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, size);
    const seg = Buffer.allocUnsafe(4 * MiB);
    for (let i = 0; i < data / seg.length; i++) {
      randomFillSync(seg, 0, 4096);
      // Data spread evenly over the file, as backup extents are.
      fs.writeSync(fd, seg, 0, seg.length, i * 16 * seg.length);
    }
    fs.closeSync(fd);
    const sp = diskprep('diskprep sparse page file', s);
    rmrf(file);
    writeRandomFile(file, size);
    const dn = diskprep('diskprep dense page file', s);
    row('sparse', 'diskprep, dense page file', dn.secs, dn.secs, undefined, dn.rss);
    row('sparse', 'diskprep, sparse page file', sp.secs, dn.secs, '≤ 0.2× dense', sp.rss);
    rmrf(s);
  }
  if (ONLY.includes('drives')) {
    if (!canThrottle()) log('drives: skipped (needs root and cgroup v1 blkio)');
    else
      runDrives({
        root,
        scale: SCALE,
        staging,
        writeRandomFile,
        timed,
        bin,
        key: KEY,
        log,
        row,
        rows,
        resetJob,
      });
  }
  if (FULL) {
    log('rss: a 20 GiB file, then 1M files of 1 byte');
    const s = staging('rss', 'block');
    writeRandomFile(path.join(s, 'data', 'huge.bin'), 20 * GiB);
    const d = diskprep('diskprep 20 GiB', s);
    row('rss', 'diskprep, one 20 GiB file', d.secs, undefined, 'RSS ≤ 200 MiB', d.rss);
    rmrf(path.join(s, 'data'));
    fs.mkdirSync(path.join(s, 'data'));
    for (let i = 0; i < 1_000_000; i++) {
      const dir = path.join(s, 'data', `d${String(Math.floor(i / 1000)).padStart(4, '0')}`);
      if (i % 1000 === 0) fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, `f${i}`), 'x');
    }
    const m = diskprep('diskprep 1M files', s);
    row('rss', 'diskprep, 1M files', m.secs, undefined, 'RSS ≤ 200 MiB', m.rss);
    rmrf(s);
  }
} finally {
  rmrf(root);
}

const load1 = os.loadavg();
const fmt = (x, d = 2) => (x === undefined ? '' : x.toFixed(d));
const lines = [
  '| scenario | run | seconds | ratio | target | peak RSS MiB |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.what} | ${fmt(r.secs, r.secs < 1 ? 3 : 2)} | ${r.ratio === undefined ? '' : `${fmt(r.ratio)}×`} | ${r.target ?? ''} | ${fmt(r.rss, 0)} |`,
  ),
];
process.stdout.write(
  `\n${lines.join('\n')}\n\nload average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} CPUs, shared)\n`,
);
