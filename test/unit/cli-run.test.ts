/**
 * The CLIs' shared edges without servers: runCli's one-line failures and quiet EPIPE, the local-data
 * error lines (read-only cannot be produced as root, so LevelDB's and Node's errors are given), and the
 * stack lookup's fallback to the stack's resources when an emulator returns no outputs.
 */
import { EventEmitter } from 'node:events';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CliError } from '../../cli/exit-codes';
import { localDataError } from '../../cli/local-data';
import { type CliProcess, runCli } from '../../cli/run-cli';
import { cloudFormationLookup } from '../../cli/stack';

const fakeProcess = () => {
  const stdout = new EventEmitter() as unknown as NodeJS.WritableStream;
  let stderr = '';
  const seen: { exit?: number; exitCode?: number } = {};
  const proc: CliProcess = {
    stdout,
    stderr: { write: (s: string) => (stderr += s) },
    exit: (code) => {
      seen.exit = code;
    },
    setExitCode: (code) => {
      seen.exitCode = code;
    },
  };
  return { proc, stdout, seen, stderr: () => stderr };
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('runCli', () => {
  it('prints an unexpected error as one line, name and redacted message, exit 1', async () => {
    // Prepare
    const { proc, seen, stderr } = fakeProcess();
    const error = new TypeError('cannot read jane.doe@corp.example\n    at somewhere (file.ts:1:1)');

    // Act
    runCli(() => Promise.reject(error), proc);
    await settle();

    // Assess
    expect(stderr()).toBe('error: TypeError: cannot read <email> at somewhere (file.ts:1:1)\n');
    expect(stderr()).not.toContain('jane.doe@corp.example');
    expect(seen.exitCode).toBe(1);
  });

  it('uses a CliError exit code and message as they are', async () => {
    const { proc, seen, stderr } = fakeProcess();
    runCli(() => Promise.reject(new CliError('local data in .local/data is missing: x', 3)), proc);
    await settle();
    expect(stderr()).toBe('error: local data in .local/data is missing: x\n');
    expect(seen.exitCode).toBe(3);
  });

  it('ends quietly with 0 when the reader closes the pipe', async () => {
    // Prepare
    const { proc, stdout, seen, stderr } = fakeProcess();

    // Act
    runCli(() => new Promise<number>(() => {}), proc);
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));

    // Assess
    expect(seen.exit).toBe(0);
    expect(stderr()).toBe('');
  });
});

describe('localDataError', () => {
  it.each([
    [Object.assign(new Error('EACCES: permission denied, access'), { code: 'EACCES' }), 'is read-only'],
    [
      {
        message: 'Database failed to open',
        cause: { message: 'IO error: .local/data/LOCK: Read-only file system' },
      },
      'is read-only',
    ],
    [
      { message: 'Database failed to open', cause: { code: 'LEVEL_LOCKED', message: 'lock held' } },
      'is in use by another process',
    ],
    [
      {
        message: 'Database failed to open',
        cause: { code: 'LEVEL_CORRUPTION', message: 'Corruption: bad block' },
      },
      'is unreadable',
    ],
    [
      {
        message: 'Database failed to open',
        cause: { code: 'LEVEL_IO_ERROR', message: 'IO error: x: No such file or directory' },
      },
      'is unreadable',
    ],
    [Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }), 'is missing'],
  ])('%j says the data %s', (error, what) => {
    // Act
    const e = localDataError('.local/data', error);

    // Assess
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(`local data in .local/data ${what}:`);
  });
});

describe('cloudFormationLookup', () => {
  const client = (answers: Record<string, unknown>) =>
    ({
      send: async (command: { constructor: { name: string } }) => {
        const answer = answers[command.constructor.name];
        if (answer instanceof Error) throw answer;
        return answer;
      },
      destroy: () => {},
    }) as unknown as CloudFormationClient;

  it('takes the outputs when the stack has them', async () => {
    // Act
    const info = await cloudFormationLookup(() =>
      client({
        DescribeStacksCommand: {
          Stacks: [
            {
              Outputs: [
                { OutputKey: 'ResultsTableName', OutputValue: 'tbl' },
                { OutputKey: 'StateMachineArn', OutputValue: 'arn:aws:states:us-east-1:1:stateMachine:sm' },
              ],
            },
          ],
        },
        ListStackResourcesCommand: new Error('not called'),
      }),
    )('S');

    // Assess
    expect(info).toEqual({ tableName: 'tbl', stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:sm' });
  });

  it("falls back to the stack's one table and the poll state machine when there are no outputs", async () => {
    // Act
    const info = await cloudFormationLookup(() =>
      client({
        DescribeStacksCommand: {
          Stacks: [{ StackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/S/abc' }],
        },
        ListStackResourcesCommand: {
          StackResourceSummaries: [
            { ResourceType: 'AWS::DynamoDB::Table', PhysicalResourceId: 'S-ResultsTable-XYZ' },
            {
              ResourceType: 'AWS::StepFunctions::StateMachine',
              LogicalResourceId: 'LargeRunsStateMachine1',
              PhysicalResourceId: 'big',
            },
            {
              ResourceType: 'AWS::StepFunctions::StateMachine',
              LogicalResourceId: 'WorkflowStateMachine2',
              PhysicalResourceId: 'poll',
            },
          ],
        },
      }),
    )('S');

    // Assess
    expect(info).toEqual({
      tableName: 'S-ResultsTable-XYZ',
      stateMachineArn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:poll',
    });
  });

  it('answers undefined when the stack cannot be read', async () => {
    expect(
      await cloudFormationLookup(() => client({ DescribeStacksCommand: new Error('no creds') }))('S'),
    ).toBeUndefined();
  });
});
