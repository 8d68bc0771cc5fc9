#!/usr/bin/env node
// The consumer test: Baton as a new user gets it. Packs every workspace package (npm pack, after
// `npm run build`), checks what each tarball holds, installs the tarballs into a fresh project outside
// the repository, type-checks scripts/consumer/consumer.ts plus an import of every package under
// `strict` without skipLibCheck, once with `module: nodenext` and once with `moduleResolution: bundler`,
// then runs the compiled program in plain Node (no tsx) and the installed `baton` bin.
//
//   node scripts/consumer-test.mjs          # in .ci/run after the build
//   node scripts/consumer-test.mjs --keep   # leave the temporary project for a look
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const started = Date.now();
const step = (what) =>
  console.log(`consumer test: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const fail = (message) => {
  console.error(`consumer test FAILED: ${message}`);
  process.exit(1);
};

function run(cmd, args, cwd, timeoutMs = 300_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) {
    fail(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}\n${r.error?.message ?? ''}${r.stdout}${r.stderr}`,
    );
  }
  return r.stdout;
}

/** Every file an exports map names (all conditions). */
function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

// The published packages: every workspace package that is not private.
const packages = readdirSync(join(root, 'packages'))
  .sort()
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);
for (const { dir, manifest } of packages) {
  for (const target of exportTargets(manifest.exports)) {
    if (!existsSync(join(dir, target)))
      fail(`${manifest.name} has no ${target}: run \`npm run build\` first`);
  }
}

const work = mkdtempSync(join(tmpdir(), 'baton-consumer-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
mkdirSync(tarballs);
mkdirSync(join(project, 'src'), { recursive: true });
try {
  // 1. Pack, and check each tarball's contents.
  step(`packing ${packages.length} packages into ${work}`);
  const packed = JSON.parse(
    run(
      'npm',
      ['pack', '--json', '--pack-destination', tarballs, ...packages.flatMap(({ dir }) => ['-w', dir])],
      root,
    ),
  );
  const problems = [];
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  for (const p of packed) {
    const files = new Set(p.files.map((f) => f.path));
    for (const f of files) {
      if (/(^|\/)(test|tests|__tests__|fixtures?)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f))
        problems.push(`${p.name}: ships test file ${f}`);
      if (/\.tsbuildinfo$/.test(f)) problems.push(`${p.name}: ships build info ${f}`);
    }
    const { manifest } = packages.find(({ manifest }) => manifest.name === p.name);
    const targets = [];
    const collect = (v) => {
      if (typeof v === 'string') targets.push(v);
      else if (v && typeof v === 'object') {
        for (const [condition, inner] of Object.entries(v)) {
          if (condition === 'source') problems.push(`${p.name}: exports keeps a "source" condition`);
          collect(inner);
        }
      }
    };
    collect(manifest.exports);
    for (const bin of Object.values(
      typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {}),
    ))
      targets.push(bin);
    for (const t of targets) {
      if (/\.tsx?$/.test(t) && !/\.d\.[cm]?ts$/.test(t))
        problems.push(`${p.name}: exports point at TypeScript source ${t}`);
      if (!files.has(t.replace(/^\.\//, ''))) problems.push(`${p.name}: ${t} is not in the tarball`);
    }
    for (const field of ['description', 'license', 'keywords']) {
      if (!manifest[field]) problems.push(`${p.name}: package.json has no ${field}`);
    }
    if (!files.has('README.md')) problems.push(`${p.name}: no README.md in the tarball`);
    if (!files.has('LICENSE')) problems.push(`${p.name}: no LICENSE in the tarball`);
    else if (
      readFileSync(join(packages.find(({ manifest }) => manifest.name === p.name).dir, 'LICENSE'), 'utf8') !==
      license
    )
      problems.push(`${p.name}: its LICENSE differs from the repository's`);
    console.log(`  ${p.filename}: ${p.entryCount} files, ${(p.size / 1024).toFixed(0)} kB packed`);
  }
  if (problems.length > 0) fail(`tarball contents:\n${problems.join('\n')}`);

  // 2. A fresh project that depends on every tarball, as a user's would (npm's cache serves what
  // npm ci already downloaded).
  step('installing the tarballs into a fresh project');
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  cpSync(join(root, 'scripts', 'consumer', 'consumer.ts'), join(project, 'src', 'consumer.ts'));
  writeFileSync(
    join(project, 'src', 'every-package.ts'),
    `// Imports every published package, so each one's declarations are checked and each one loads.\n${packed
      .map((p, i) => `import * as p${i} from '${p.name}';`)
      .join('\n')}\nexport const packages = { ${packed.map((p, i) => `'${p.name}': p${i}`).join(', ')} };\n`,
  );
  writeFileSync(
    join(project, 'src', 'main.ts'),
    [
      "import { packages } from './every-package.js';",
      'for (const [name, exports] of Object.entries(packages)) {',
      "  if (Object.keys(exports).length === 0) throw new Error(name + ' exports nothing');",
      '}',
      "await import('./consumer.js');",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'baton-consumer',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries([
          ...packed.map((p) => [p.name, `file:${join(tarballs, p.filename)}`]),
          // What the consumer itself imports and compiles with (Baton's own dependencies come with it).
          ['fp-ts', packages.map(({ manifest }) => manifest.dependencies?.['fp-ts']).find(Boolean)],
          ['@types/node', rootManifest.devDependencies['@types/node']],
        ]),
      },
      null,
      2,
    )}\n`,
  );
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    project,
    600_000,
  );

  // 3. Type-check without skipLibCheck: nodenext (and emit for Node), then bundler resolution.
  const strict = {
    strict: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    rootDir: 'src',
  };
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: { ...strict, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'dist' },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(project, 'tsconfig.bundler.json'),
    JSON.stringify(
      {
        compilerOptions: { ...strict, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  step('type-checking (strict, module nodenext, no skipLibCheck) and compiling');
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  step('type-checking (strict, moduleResolution bundler, no skipLibCheck)');
  run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], project);

  // 4. Run it in plain Node, and the bin.
  step('running the compiled consumer in plain Node');
  const out = run(process.execPath, [join(project, 'dist', 'main.js')], project, 120_000);
  if (!out.includes('consumer: placement, simulation and createBaton work'))
    fail(`unexpected output:\n${out}`);
  process.stdout.write(out.replace(/^/gm, '  '));
  const bins = packages.flatMap(({ manifest }) =>
    Object.keys(typeof manifest.bin === 'string' ? { [manifest.name]: 1 } : (manifest.bin ?? {})),
  );
  for (const bin of bins) {
    const r = spawnSync(join(project, 'node_modules', '.bin', bin), ['--help'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 60_000,
    });
    // A usage message on either stream with a usage exit code (0 or 2) shows the bin loads.
    if (r.error || ![0, 2].includes(r.status ?? -1) || !/usage/i.test(r.stdout + r.stderr)) {
      fail(
        `the installed bin ${bin} --help exited ${r.status ?? r.signal}: ${r.error?.message ?? ''}${r.stderr}`,
      );
    }
  }
  step(`passed (${bins.length} bins answer --help)`);
} finally {
  if (keep) console.log(`consumer test: left ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
