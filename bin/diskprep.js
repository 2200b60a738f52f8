#!/usr/bin/env -S node --max-semi-space-size=8
// --max-semi-space-size=8: V8's young generation otherwise grows with the file count of a copy.
// Measured here, 100k files of 64 bytes: peak RSS 245 MiB without it, 173 MiB with it (two
// runs each; the run times were dominated by the filesystem and got slower in sequence whatever
// the flag). It only takes effect as a node flag, hence the shebang (`env -S`: coreutils >= 8.30,
// macOS; npm's Windows shims read the same line).
// diskprep's command-line entry. All logic lives in dist/ (built from src/ by `npm run build`).
// The version check comes first, with no import that could fail on an old Node: our
// dependencies need Node >= 22, and an older one would die with a stack trace instead of a fix.
// One floor everywhere: the same as package.json "engines" and README.
const [major, minor, patch] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && (minor < 22 || (minor === 22 && patch < 2)))) {
  process.stderr.write(
    `diskprep: needs Node.js 22.22.2 or newer, this is ${process.version} — install a current Node.js (https://nodejs.org), or run diskprep from its repository with npx, which uses the Node 24 it installs\n`,
  );
  process.exit(2);
}
// libuv's threadpool does every file read and write, 4 threads by default: drives filled at
// once each keep writes in flight, and with 4 drives the 4 threads were all waiting in writes
// (4 throttled drives: 13.4 s, 10.3 s with 16 threads; ideal 8.4 s). It is created at its first
// use, after this line; an operator's own setting wins.
process.env.UV_THREADPOOL_SIZE ??= '16';
const { main } = await import('../dist/main.js');
await main();
