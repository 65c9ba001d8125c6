/**
 * Starts the AWS emulator (`launcher.py`: moto with a Lambda route into Node) and deploys this app to it with
 * the real CDK CLI. Used by the deploy suite (test/deploy) and `npm run emulator` (try-it.ts).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const HERE = __dirname;
export const PROJECT_ROOT = path.resolve(HERE, '..', '..');

/** The account and region the emulator answers as (moto's default account; AppFabric runs in us-east-1). */
export const EMULATOR_ACCOUNT = '123456789012';
export const EMULATOR_REGION = 'us-east-1';

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Environment for AWS SDKs and the CDK CLI: endpoints, dummy credentials, region. */
  readonly env: NodeJS.ProcessEnv;
  /** Client config for AWS SDK v3 clients in this process. */
  readonly clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/** The Python modules of `modules` that python3 lacks, as one sentence; undefined when it has them all. */
export function missingPythonModules(modules: readonly string[]): string | undefined {
  const probe =
    'import importlib.util as u,sys;print(",".join(m for m in sys.argv[1:] if u.find_spec(m) is None))';
  try {
    const missing = execFileSync('python3', ['-c', probe, ...modules], { encoding: 'utf8' }).trim();
    return missing ? `python3 lacks ${missing.split(',').join(', ')}` : undefined;
  } catch (error) {
    return `python3 cannot run (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/**
 * What this machine lacks to run the emulator and the deploy suite (python3 with moto, boto3, cfn-lint), or
 * undefined. Synchronous, so that a test file can decide at load whether it runs or is skipped.
 */
export const emulatorUnavailable = (): string | undefined =>
  missingPythonModules(['moto', 'boto3', 'cfnlint']);

/** Starts moto on a free loopback port; Lambda invocations reach `appfabricEndpoint` for AppFabric. */
export async function startEmulator(options: {
  appfabricEndpoint: string;
  lambdaLogs?: boolean;
}): Promise<Emulator> {
  const child = spawn('python3', [path.join(HERE, 'launcher.py'), '--port', '0'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_APPFABRIC: options.appfabricEndpoint,
      ...(options.lambdaLogs ? { EMULATOR_LAMBDA_LOGS: '1' } : {}),
    },
    // stdin stays open: the launcher stops when it closes, so it cannot outlive this process.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString('utf8'));
    if (stderr.length > 200) stderr.splice(0, stderr.length - 200);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      const m = /^EMULATOR (http:\/\/\S+)$/.exec(line);
      if (m?.[1]) resolve(m[1]);
      else reject(new Error(`emulator did not start: ${line}`));
    });
    child.once('exit', (code) =>
      reject(new Error(`emulator exited with ${code}: ${stderr.join('').split('\n').slice(-5).join(' ')}`)),
    );
  });
  const port = new URL(url).port;
  const env: NodeJS.ProcessEnv = {
    AWS_ENDPOINT_URL: url,
    // moto reads the bucket name from the host of CloudFormation's template URL: path style through localhost.
    AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${port}`,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: EMULATOR_REGION,
    AWS_DEFAULT_REGION: EMULATOR_REGION,
    CDK_DEFAULT_ACCOUNT: EMULATOR_ACCOUNT,
    CDK_DEFAULT_REGION: EMULATOR_REGION,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
  return {
    url,
    env,
    clientConfig: {
      endpoint: url,
      region: EMULATOR_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs the project's CDK CLI (`npx cdk …`) against the emulator; rejects with the tail of its output. */
function cdk(emulator: Emulator, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['cdk', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...emulator.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else
        reject(new Error(`cdk ${args[0]} exited with ${code}:\n${output.split('\n').slice(-25).join('\n')}`));
    });
  });
}

export interface Deployment {
  /** Seconds from `cdk bootstrap` to the end of `cdk deploy`. */
  readonly seconds: number;
  readonly output: string;
}

/** `cdk bootstrap` then `cdk deploy --require-approval never` with `context`; cdk.out goes to a temp dir. */
export async function deployToEmulator(
  emulator: Emulator,
  context: Record<string, string>,
): Promise<Deployment> {
  const out = mkdtempSync(path.join(tmpdir(), 'emulator-cdk-out-'));
  const started = Date.now();
  try {
    await cdk(emulator, ['bootstrap', `aws://${EMULATOR_ACCOUNT}/${EMULATOR_REGION}`, '-o', out]);
    const contextArgs = Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
    const output = await cdk(emulator, ['deploy', '--require-approval', 'never', '-o', out, ...contextArgs]);
    return { seconds: (Date.now() - started) / 1000, output };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The query CLI as a user runs it (`npx tsx cli/query.ts …`) with the emulator as its AWS endpoint, in a
 * working directory without `.local/last-run.json` and without RESULTS_TABLE_NAME: the table comes from
 * `--table` or the deployed stack.
 */
export function runQueryCli(emulator: Emulator, args: string[]): Promise<CliResult> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'query-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...emulator.env };
  delete env.RESULTS_TABLE_NAME;
  const tsx = require.resolve('tsx/cli', { paths: [PROJECT_ROOT] });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, path.join(PROJECT_ROOT, 'cli', 'query.ts'), ...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
