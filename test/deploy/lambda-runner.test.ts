/**
 * The emulator's Lambda runner (local/emulator/lambda-runner.ts) on a code package of its own: the answer
 * Step Functions sees for a result, a named error and a run past the function's timeout. No moto needed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../local/emulator/emulator';

// A CommonJS package like the CDK's bundle: `index.handler`, answering by the event's `kind`.
const PACKAGE = `
exports.handler = async (event, context) => {
  if (event.kind === 'error') {
    const e = new Error('no access');
    e.name = 'AppFabricAccessDeniedError';
    throw e;
  }
  if (event.kind === 'hang') return new Promise(() => {});
  return { echo: event.value, table: process.env.RESULTS_TABLE_NAME, remaining: context.getRemainingTimeInMillis() };
};
`;

describe('the Lambda runner', () => {
  let dir: string;
  let runner: ChildProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lambda-runner-'));
    writeFileSync(path.join(dir, 'index.js'), PACKAGE);
    runner = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(PROJECT_ROOT, 'local/emulator/lambda-runner.ts'), dir],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          _HANDLER: 'index.handler',
          AWS_LAMBDA_FUNCTION_TIMEOUT: '1',
          RESULTS_TABLE_NAME: 't1',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const first = await new Promise<string>((resolve) =>
      createInterface({ input: runner.stdout as NodeJS.ReadableStream }).once('line', resolve),
    );
    port = Number(/^RUNNER (\d+)$/.exec(first)?.[1]);
  });

  afterAll(() => {
    runner.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const invoke = async (event: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}/invoke`, {
      method: 'POST',
      body: JSON.stringify(event),
    });
    return (await response.json()) as { ok: boolean; payload: Record<string, unknown> };
  };

  it("returns the handler's result, run with the function's environment and a context", async () => {
    // Prepare
    const event = { kind: 'ok', value: 42 };
    // Act
    const answer = await invoke(event);
    // Assess
    expect(answer).toMatchObject({ ok: true, payload: { echo: 42, table: 't1' } });
    expect(answer.payload.remaining).toBeGreaterThan(0);
    expect(answer.payload.remaining).toBeLessThanOrEqual(1000);
  });

  it("returns Lambda's error payload with the error's name", async () => {
    // Prepare
    const event = { kind: 'error' };
    // Act
    const answer = await invoke(event);
    // Assess
    expect(answer).toEqual({
      ok: false,
      payload: { errorType: 'AppFabricAccessDeniedError', errorMessage: 'no access' },
    });
  });

  it('reports a run past the timeout as Sandbox.Timedout', async () => {
    // Prepare
    const event = { kind: 'hang' };
    // Act
    const answer = await invoke(event);
    // Assess
    expect(answer).toEqual({
      ok: false,
      payload: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1 seconds' },
    });
  });
});
