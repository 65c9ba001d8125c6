/**
 * Local end-to-end runs: the state machine definition rendered from the CDK code, run by aws-local-stepfunctions
 * with the real handler, against the AppFabric stand-in and dynalite over HTTP (`startLocalPoller`). Nothing is
 * mocked; every expectation is derived from the stand-in's task scripts.
 * Here: large inputs, EventBridge events and bad execution input.
 */
import { randomUUID } from 'node:crypto';
import { Limits } from '../../lambda/contract/limits';
import { Keys, TableSchema } from '../../lambda/contract/table';
import { ErrorNames } from '../../lambda/contract/workflow';
import type { TaskRecord } from '../../lambda/core/model';
import { StateNames } from '../../lib/poll-workflow';
import { matchesEventPattern } from '../../local/event-pattern';
import { addTasks, DEMO_APPS, DEMO_BUNDLE_ARN, seededRandom } from '../../local/scenarios';
import { partitionItems } from '../support/dynamo';
import {
  addAll,
  appOf,
  BUNDLE_ARN,
  doc,
  expectRecordsMatch,
  poller,
  recordsOf,
  STATE_LIMIT_BYTES,
  useLocalPoller,
} from '../support/e2e-run';
import { eventOf, expectedRecords } from '../support/local-e2e';

describe('with the default settings', () => {
  useLocalPoller();

  it('5,000 task IDs in one execution stay below the 256 KiB state limit', async () => {
    // Prepare: every task finishes within two polls.
    const ids = addAll(Array.from({ length: 5000 }, (_, i) => ({ ...appOf(i), inProgressPolls: i % 2 })));
    const input = { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids };
    const inputBytes = Buffer.byteLength(JSON.stringify(input));

    // Act
    const report = await poller.execute(input);

    // Assess
    console.log(
      `5,000 tasks: execution input ${inputBytes} bytes, largest state seen ${report.maxStateBytes} bytes ` +
        `(limit ${STATE_LIMIT_BYTES}); ${report.cycles.length} cycles, ${report.transitions} transitions, ` +
        `${report.realMs} ms`,
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.maxStateBytes).toBeLessThan(STATE_LIMIT_BYTES);
    expect(inputBytes).toBeLessThan(STATE_LIMIT_BYTES);
    // The loop states carry counts, not IDs: every state but the input is small.
    for (const cycle of report.cycles)
      expect(Buffer.byteLength(JSON.stringify(cycle.state))).toBeLessThan(2048);
    expect(report.output).toMatchObject({ counts: { total: 5000, pending: 0, COMPLETED: 5000 } });
    expect(report.cycles.map((c) => c.batchGetCalls)).toEqual([100, 50]);
    const records = await poller.reader.byRun(report.runId);
    expect(records).toHaveLength(5000);
    expect(new Set(records.map((r) => r.taskId)).size).toBe(5000);
  });

  // Step Functions takes inputs up to 256 KiB: the input check's limit must fit in one.
  it('the most task IDs an execution input may hold fit in one execution input', () => {
    // Prepare
    const taskIdList = Array.from({ length: Limits.maxTaskIdsInInput }, () => randomUUID());

    // Act
    const bytes = Buffer.byteLength(JSON.stringify({ appBundleIdentifier: BUNDLE_ARN, taskIdList }));

    // Assess
    expect(bytes).toBeLessThan(STATE_LIMIT_BYTES);
  });

  describe('EventBridge', () => {
    const consoleInput = (taskIdList: string[]) => ({ appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList });

    it('an event the rule matches runs the same as the equivalent console input', async () => {
      // Prepare: two task sets scripted from the same seed (same behaviours, their own IDs).
      poller.appFabric.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
      const viaConsole = addTasks(poller.appFabric, DEMO_BUNDLE_ARN, 'mixed', seededRandom(7), { count: 40 });
      const viaEvent = addTasks(poller.appFabric, DEMO_BUNDLE_ARN, 'mixed', seededRandom(7), { count: 40 });
      const event = eventOf(consoleInput(viaEvent));

      // Act: the rule's target passes `$.detail` as the execution input.
      const problem = matchesEventPattern(event, poller.settings.eventPattern);
      const fromConsole = await poller.execute(consoleInput(viaConsole));
      const fromEvent = await poller.execute(event.detail);

      // Assess
      expect(problem).toBeUndefined();
      expect(fromEvent.status).toBe('SUCCEEDED');
      expect(fromConsole.status).toBe('SUCCEEDED');
      const consoleRecords = await recordsOf(fromConsole.runId);
      const eventRecords = await recordsOf(fromEvent.runId);
      const statusByPosition = (ids: string[], records: Map<string, TaskRecord>) =>
        ids.map((id) => records.get(id)?.resultStatus);
      expect(statusByPosition(viaEvent, eventRecords)).toEqual(statusByPosition(viaConsole, consoleRecords));
      expect(statusByPosition(viaEvent, eventRecords)).not.toContain(undefined);
      expectRecordsMatch(eventRecords, expectedRecords(poller, viaEvent), fromEvent.runId, DEMO_BUNDLE_ARN);
      expect((fromEvent.output as { counts: unknown }).counts).toEqual(
        (fromConsole.output as { counts: unknown }).counts,
      );
      expect(fromEvent.cycles.length).toBe(fromConsole.cycles.length);
    });

    it.each([
      ['source', { source: 'someone.else' }],
      ['detail-type', { 'detail-type': 'Something Else' }],
      ['detail-type', { 'detail-type': undefined }],
    ])('an event the rule would not match is refused, naming %s', (field, change) => {
      // Prepare
      const event = { ...eventOf(consoleInput([randomUUID()])), ...change };

      // Act
      const problem = matchesEventPattern(event, poller.settings.eventPattern);

      // Assess
      expect(problem).toEqual(expect.stringContaining(field));
      expect(problem).toMatch(new RegExp(`^${field} is `));
    });
  });

  describe('bad execution input', () => {
    const uuid = '5d2c5e2e-8b0a-4f7e-9a52-2a51d9b1c0de';
    it.each([
      ['taskIdList[1]', { appBundleIdentifier: BUNDLE_ARN, taskIdList: [uuid, 'not-a-uuid'] }],
      ['taskIdList', { appBundleIdentifier: BUNDLE_ARN, taskIdList: [] }],
      ['taskIdList', { appBundleIdentifier: BUNDLE_ARN, taskIdList: uuid }],
      ['appBundleIdentifier', { appBundleIdentifier: 'my-bundle', taskIdList: [uuid] }],
      ['input', { appBundleIdentifier: BUNDLE_ARN, taskIds: [uuid] }],
      ['maxWaitSeconds', { appBundleIdentifier: BUNDLE_ARN, taskIdList: [uuid], maxWaitSeconds: 1 }],
    ])(
      'fails with InvalidInputError naming %s, and writes only the failed run record',
      async (field, input) => {
        // Act
        const report = await poller.execute(input);

        // Assess
        expect(report.status).toBe('FAILED');
        expect(report.error?.Error).toBe(ErrorNames.InvalidInput);
        expect(report.error?.Cause.startsWith(`${field}:`)).toBe(true);
        expect(report.entered[StateNames.Poll]).toBeUndefined();
        expect(report.retries).toEqual({});
        const items = await partitionItems(doc, poller.tableName, report.runId);
        expect(items.map((i) => i[TableSchema.sortKey])).toEqual([Keys.runSk]);
        expect(items[0]).toMatchObject({
          outcome: 'FAILED',
          errorName: ErrorNames.InvalidInput,
          errorCause: report.error?.Cause,
        });
        expect(poller.appFabric.calls).toEqual([]);
      },
    );
  });
});
