/**
 * The Lambda bundle as CDK builds it (lib/poller-function.ts: esbuild, platform node, the runtime's
 * target, minified, names kept, source map without sources, every module bundled including @aws-sdk),
 * its size, and the cold init of its module measured in fresh Node processes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { HANDLER_ENTRY, POLLER_BUNDLE, PROJECT_ROOT } from '../../lib/poller-function';

const run = promisify(execFile);

/** NODEJS_24_X, as the function deploys. */
const BUNDLE_TARGET = POLLER_BUNDLE.target;

export interface BundleFigures {
  target: string;
  bytes: number;
  mapBytes: number;
  /** Median ms of `require` of the bundle, in a fresh process each time. */
  requireMs: number;
  /** Same, of an empty module. */
  emptyRequireMs: number;
  /** Median ms of the bundle's `require` with --enable-source-maps (the deployed NODE_OPTIONS). */
  requireWithSourceMapsMs: number;
  /** Median ms of a whole `node -e "require(...)"` process: bundle, and an empty module. */
  processMs: number;
  emptyProcessMs: number;
  samples: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One fresh process: prints the ms `require(file)` took; returns it with the process's wall time. */
async function timedRequire(
  file: string,
  nodeArgs: string[] = [],
): Promise<{ require: number; process: number }> {
  const script =
    'const t=process.hrtime.bigint();require(process.argv[1]);' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const started = process.hrtime.bigint();
  const { stdout } = await run(process.execPath, [...nodeArgs, '-e', script, file], {
    env: { ...process.env, NODE_OPTIONS: '', AWS_REGION: 'us-east-1' },
  });
  return { require: Number(stdout), process: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Bundles the handler exactly as the deployed function is bundled (POLLER_BUNDLE) into `outfile`. */
export async function buildPollerBundle(outfile: string): Promise<void> {
  await build({
    entryPoints: [HANDLER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    ...POLLER_BUNDLE,
    mainFields: [...POLLER_BUNDLE.mainFields],
    external: [...POLLER_BUNDLE.external],
    alias: { ...POLLER_BUNDLE.alias },
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  });
}

export async function measureBundle(samples = 9): Promise<BundleFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'poller-bench-'));
  try {
    const outfile = join(dir, 'index.js');
    await buildPollerBundle(outfile);
    const empty = join(dir, 'empty.js');
    await writeFile(empty, '');
    const bundleRuns: { require: number; process: number }[] = [];
    const emptyRuns: { require: number; process: number }[] = [];
    const mapRuns: number[] = [];
    // Interleaved, so a busy moment of the machine hits both alike; one warm-up each (disk cache).
    await timedRequire(outfile);
    await timedRequire(empty);
    for (let i = 0; i < samples; i++) {
      bundleRuns.push(await timedRequire(outfile));
      emptyRuns.push(await timedRequire(empty));
      mapRuns.push((await timedRequire(outfile, ['--enable-source-maps'])).require);
    }
    return {
      target: BUNDLE_TARGET,
      bytes: (await stat(outfile)).size,
      mapBytes: (await stat(`${outfile}.map`)).size,
      requireMs: median(bundleRuns.map((r) => r.require)),
      emptyRequireMs: median(emptyRuns.map((r) => r.require)),
      requireWithSourceMapsMs: median(mapRuns),
      processMs: median(bundleRuns.map((r) => r.process)),
      emptyProcessMs: median(emptyRuns.map((r) => r.process)),
      samples,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
