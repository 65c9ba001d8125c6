/**
 * Inputs that are not JSON objects, through the rendered state machine (aws-local-stepfunctions) and the
 * real handler on the stand-ins: the execution fails with InvalidInputError naming `input`, not with a
 * path error of the engine, and the run record says so.
 */
import { type LocalPoller, startLocalPoller } from '../../local/harness';

let poller: LocalPoller;

beforeAll(async () => {
  poller = await startLocalPoller({ realWaitMs: 0, realRetryMs: 0 });
});

afterAll(async () => {
  await poller?.close();
});

describe('an execution input that is not an object', () => {
  it.each([
    ['null', null],
    ['an array', ['3f0c6c3e-2a4b-4c5d-8e6f-7a8b9c0d1e2f']],
    ['a string', 'taskIdList'],
    ['a number', 7],
  ])('%s fails with InvalidInputError naming input, recorded on the run', async (_case, input) => {
    // Act
    const report = await poller.execute(input);

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('InvalidInputError');
    expect(report.error?.Cause).toMatch(/^input: must be a JSON object, got /);
    expect(await poller.reader.getRun(report.runId)).toMatchObject({
      outcome: 'FAILED',
      errorName: 'InvalidInputError',
      errorCause: expect.stringMatching(/^input: must be a JSON object/),
    });
  });
});
