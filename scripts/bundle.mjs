// The one script a single executable runs (SEA mains are CommonJS scripts), in two parts so that
// `diskprep --help` pays only for what it uses:
//
//   core  src/main.ts and what it imports statically (the command line: commander and ~25 small
//         files), run at start, compiled from V8's code cache;
//   rest  every lazily imported module (the commands, createDeps and all they need), inside one
//         function at the end of the script that runs the first time a command is imported.
//
// One esbuild bundle of everything would run the module definitions of all of it at start
// (esbuild hoists each lazily loaded module's export table out of its init function): measured
// here (CPU, sums of 30 runs side by side), 56 ms for --help against 40 ms split this way, and
// 36 ms with no rest at all; a command pays ~10-17 ms more to compile the rest on first use
// (V8's code cache, made without running the script, holds only what runs at start). Both parts are built by esbuild; the rest takes the core's modules
// from the core (never a second copy: `instanceof` on diskprep's error classes must hold across
// the two), and the core's `import()` of a command becomes a call into the rest.
import path from 'node:path';
import * as esbuild from 'esbuild';

const CORE = 'diskprep-core:';
const REST = 'diskprep-rest:';

/** A src-relative key for an absolute path ("src/errors.ts"). */
const keyOf = (repo, abs) => path.relative(repo, abs).split(path.sep).join('/');

/**
 * esbuild plugin for the core: `import()` of a src module becomes an external `diskprep-rest:`
 * import (rewritten into a call of the rest below), so nothing lazily loaded enters the core.
 */
function restOutside(repo) {
  return {
    name: 'diskprep-rest-outside',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData === 'inner') return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'inner',
        });
        if (r.errors.length > 0 || !r.path.startsWith(path.join(repo, 'src') + path.sep))
          return undefined;
        return { path: REST + keyOf(repo, r.path), external: true };
      });
    },
  };
}

/** esbuild plugin for the rest: a module the core holds is taken from the core (`diskprep-core:`). */
function coreOutside(repo, coreKeys) {
  return {
    name: 'diskprep-core-outside',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'inner',
        });
        if (r.errors.length > 0 || !coreKeys.has(keyOf(repo, r.path))) return undefined;
        return { path: CORE + keyOf(repo, r.path), external: true };
      });
    },
  };
}

/**
 * Builds the script. `options` are esbuild options for both parts (platform, format, defines…);
 * `banner` opens the script. Returns its text and the metafiles of the parts.
 */
export async function bundleInTwo(repo, options, banner) {
  const stdin = (contents, sourcefile) => ({
    contents,
    resolveDir: repo,
    loader: 'ts',
    sourcefile,
  });
  const entry = "import { main } from './src/main.ts';\nvoid main();\n";
  // First the core's module list, then the core exporting each of them for the rest.
  const probe = await esbuild.build({
    ...options,
    metafile: true,
    stdin: stdin(entry, 'core.ts'),
    plugins: [restOutside(repo)],
  });
  const coreKeys = new Set(Object.keys(probe.metafile.inputs).filter((k) => k.startsWith('src/')));
  const restKeys = new Set(
    Object.values(probe.metafile.outputs)
      .flatMap((o) => o.imports)
      .filter((i) => i.path.startsWith(REST))
      .map((i) => i.path.slice(REST.length)),
  );
  const coreKeyList = [...coreKeys].sort();
  const core = await esbuild.build({
    ...options,
    metafile: true,
    stdin: stdin(
      [
        ...coreKeyList.map((k, i) => `import * as m${i} from './${k}';`),
        `globalThis.__diskprepCore = { ${coreKeyList.map((k, i) => `${JSON.stringify(k)}: m${i}`).join(', ')} };`,
        entry,
      ].join('\n'),
      'core.ts',
    ),
    plugins: [restOutside(repo)],
  });
  const rest = await esbuild.build({
    ...options,
    metafile: true,
    stdin: stdin(
      `export const modules = { ${[...restKeys]
        .sort()
        .map((k) => `${JSON.stringify(k)}: () => import('./${k}')`)
        .join(', ')} };\n`,
      'rest.ts',
    ),
    plugins: [coreOutside(repo, coreKeys)],
  });
  const coreText = core.outputFiles[0].text;
  const restImports = coreText.split(`import("${REST}`).length - 1;
  if (restImports === 0)
    throw new Error('bundle: the core imports nothing lazily (plugin broken?)');
  const script = [
    banner,
    coreText.replaceAll(`import("${REST}`, '__diskprepRest("'),
    // The rest: compiled and run the first time a command is imported, with a require that hands
    // it the core's modules.
    'var __diskprepRestModules;',
    'function __diskprepRest(key) {',
    '  return Promise.resolve().then(() => {',
    '    __diskprepRestModules ??= __diskprepRestFactory((id) =>',
    `      id.startsWith(${JSON.stringify(CORE)}) ? globalThis.__diskprepCore[id.slice(${CORE.length})] : require(id)).modules;`,
    '    return __diskprepRestModules[key]();',
    '  });',
    '}',
    'function __diskprepRestFactory(require) {',
    'var module = { exports: {} }, exports = module.exports;',
    rest.outputFiles[0].text,
    'return module.exports;',
    '}',
  ].join('\n');
  return { script, metafiles: [core.metafile, rest.metafile], restImports };
}
