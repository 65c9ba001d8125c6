/**
 * The deployed artefact, not the sources: the handler bundled exactly as lib/poller-function.ts bundles it
 * (POLLER_BUNDLE: ES module builds, the SDK bundled in, the Lambda credential provider aliased in), loaded
 * in a fresh Node process with only what Lambda gives a function (environment credentials, region, the
 * function's environment), and driven through start and poll against the AppFabric stand-in and dynalite.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvNames } from '../../lambda/contract/settings';
import { MetricNames } from '../../lambda/contract/stack';
import type { LoopState } from '../../lambda/core/model';
import { buildPollerBundle } from '../../local/bench/bundle';
import { BUNDLE_ARN, type Parts, startParts } from '../support/parts';
import { nextRunId } from '../support/run';

const run = promisify(execFile);

let parts: Parts;
let dir: string;
let bundle: string;

beforeAll(async () => {
  parts = await startParts();
  dir = await mkdtemp(join(tmpdir(), 'poller-bundle-'));
  bundle = join(dir, 'index.js');
  await buildPollerBundle(bundle);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await parts.close();
});

/** Metric lines (embedded metric format) the function printed, by invocation. */
const emitted: Record<string, unknown>[] = [];

/** Invokes the bundled handler in a fresh process, as a Lambda cold start would, and returns its answer. */
async function invoke(event: unknown): Promise<unknown> {
  const script =
    'const { handler } = require(process.argv[1]);' +
    'handler(JSON.parse(process.argv[2])).then(' +
    "(r) => process.stdout.write('\\nRESULT ' + JSON.stringify({ ok: r }))," +
    "(e) => process.stdout.write('\\nRESULT ' + JSON.stringify({ error: { name: e.name, message: e.message } })))";
  const { stdout } = await run(process.execPath, ['-e', script, bundle, JSON.stringify(event)], {
    cwd: dir,
    env: {
      // What Lambda provides: credentials and region in the environment, nothing else of AWS.
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST',
      AWS_SECRET_ACCESS_KEY: 'bundle-secret',
      AWS_SESSION_TOKEN: 'bundle-session',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_ENDPOINT_URL_APPFABRIC: parts.standIn.url,
      AWS_ENDPOINT_URL_DYNAMODB: parts.dynamo.endpoint,
      [EnvNames.tableName]: parts.tableName,
      [EnvNames.minWaitSeconds]: '1',
    },
  });
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.filter((l) => !l.startsWith('RESULT '))) emitted.push(JSON.parse(line));
  const result = lines.find((l) => l.startsWith('RESULT '))?.slice('RESULT '.length) ?? '{}';
  const answer = JSON.parse(result) as { ok?: unknown; error?: { name: string; message: string } };
  if (answer.error) throw Object.assign(new Error(answer.error.message), { name: answer.error.name });
  return answer.ok;
}

describe('the bundled handler', () => {
  it('is the size the benchmark reports and holds the AppFabric client', async () => {
    // Act (the bundle is built in beforeAll)
    const text = await readFile(bundle, 'utf8');

    // Assess
    expect((await stat(bundle)).size).toBeLessThan(400 * 1024);
    expect(text).toContain('/useraccess/batchget');
    // The Lambda-only credential provider replaced the default chain (no SSO/INI/IMDS code).
    expect(text).not.toContain('credential-provider-imds');
  });

  it('starts a run and polls it to DONE, signing with the environment credentials', async () => {
    // Prepare
    const ids = [
      parts.standIn.addTask(BUNDLE_ARN, {}),
      parts.standIn.addTask(BUNDLE_ARN, { outcome: 'FAILED' }),
    ];
    const runId = nextRunId('bundle');
    parts.standIn.resetCalls();

    // Act
    const started = (await invoke({
      action: 'start',
      runId,
      startedAt: new Date().toISOString(),
      input: { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids },
    })) as LoopState;
    const polled = (await invoke({ action: 'poll', state: started })) as LoopState;

    // Assess
    expect(started).toMatchObject({ runId, status: 'PENDING', counts: { total: 2, pending: 2 } });
    expect(polled).toMatchObject({ status: 'DONE', counts: { pending: 0, COMPLETED: 1, FAILED: 1 } });
    expect((await parts.reader.byRun(runId)).map((r) => r.resultStatus).sort()).toEqual([
      'COMPLETED',
      'FAILED',
    ]);
    const authorization = parts.standIn.calls.map((c) => c.headers.authorization);
    expect(authorization.length).toBeGreaterThan(0);
    // Counts went out as CloudWatch metrics (EMF), in the project's namespace.
    const metricNames = emitted.flatMap((m) =>
      (
        (m._aws as { CloudWatchMetrics?: { Namespace: string; Metrics: { Name: string }[] }[] })
          ?.CloudWatchMetrics ?? []
      )
        .filter((d) => d.Namespace === MetricNames.namespace)
        .flatMap((d) => d.Metrics.map((x) => x.Name)),
    );
    expect(metricNames).toEqual(
      expect.arrayContaining([
        MetricNames.runsStarted,
        MetricNames.pollCycles,
        MetricNames.tasks('COMPLETED'),
      ]),
    );
    for (const header of authorization)
      expect(header).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDBUNDLETEST\/\d{8}\/us-east-1\/appfabric\/aws4_request/,
      );
  });

  it('throws the shared error names across the process boundary', async () => {
    // Act and Assess: a poll of a state that is not one.
    await expect(invoke({ action: 'poll', state: { runId: 'x' } })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
