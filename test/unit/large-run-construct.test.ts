/**
 * The LargeRunWorkflow construct on its own (props, feature flag) and the batch arithmetic of planLargeRun.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Limits, PARENT_EXECUTION_ID_FIELD } from '../../lambda/contract/limits';
import {
  LARGE_RUN_DEFAULTS,
  LargeRunFormats,
  LargeRunLimits,
  LargeRunWorkflow,
  type LargeRunWorkflowProps,
  planLargeRun,
} from '../../lib/large-run-workflow';
import { largeRun, standaloneApp, standaloneProps, UUID, uuid } from '../support/large-run';

describe('LargeRunWorkflow construct', () => {
  test('associateWithParent (the default) passes the parent execution ID to each child', () => {
    const stack = new Stack(standaloneApp(), 'Standalone');
    const workflow = new LargeRunWorkflow(stack, 'LargeRuns', standaloneProps(stack));
    expect(workflow.associateWithParent).toBe(true);
    const { asl } = largeRun(Template.fromStack(stack));
    for (const names of Object.values(LargeRunFormats)) {
      const start = asl.States[names.mapState].ItemProcessor.States[names.startState];
      expect(start.Parameters.Input[`${PARENT_EXECUTION_ID_FIELD}.$`]).toBe('$$.Execution.Id');
      // Without pollTimeout the task has no timeout of its own.
      expect(start.TimeoutSeconds).toBeUndefined();
    }
  });

  test.each<[string, Partial<LargeRunWorkflowProps>, RegExp]>([
    ['maxItemsPerBatch above 5000', { maxItemsPerBatch: 5001 }, /maxItemsPerBatch/],
    ['maxItemsPerBatch of 0', { maxItemsPerBatch: 0 }, /maxItemsPerBatch/],
    ['maxConcurrency above 10000', { maxConcurrency: 10_001 }, /maxConcurrency/],
    [
      'toleratedFailurePercentage above 100',
      { toleratedFailurePercentage: 101 },
      /toleratedFailurePercentage/,
    ],
    [
      'maxWaitSeconds below minWaitSeconds',
      { pollDefaults: { minWaitSeconds: 60, maxWaitSeconds: 30 } },
      /maxWaitSeconds/,
    ],
  ])('refuses %s', (_name, props, message) => {
    const stack = new Stack(standaloneApp(), 'Standalone');
    expect(() => new LargeRunWorkflow(stack, 'LargeRuns', { ...standaloneProps(stack), ...props })).toThrow(
      message,
    );
  });

  test('refuses to build without the ResultWriterV2 feature flag (its ResultWriter would be dropped)', () => {
    const stack = new Stack(standaloneApp(false), 'Standalone');
    expect(() => new LargeRunWorkflow(stack, 'LargeRuns', standaloneProps(stack))).toThrow(
      /useDistributedMapResultWriterV2/,
    );
  });

  test('pollTimeout bounds each child task 15 minutes after it', () => {
    const stack = new Stack(standaloneApp(), 'Standalone');
    new LargeRunWorkflow(stack, 'LargeRuns', { ...standaloneProps(stack), pollTimeout: Duration.hours(2) });
    const { asl } = largeRun(Template.fromStack(stack));
    const start = asl.States.PollJsonList.ItemProcessor.States.StartPollRunJson;
    expect(start.TimeoutSeconds).toBe(2 * 3600 + 15 * 60);
  });
});

describe('batch arithmetic', () => {
  test('the batch limits keep a child inside one poll execution and its 256 KiB input', () => {
    expect(LargeRunLimits.maxItemsPerBatch).toBeLessThanOrEqual(Limits.maxTasksPerRun);
    expect(LARGE_RUN_DEFAULTS.maxItemsPerBatch).toBeLessThanOrEqual(LargeRunLimits.maxItemsPerBatch);
    const ids = Array.from({ length: LargeRunLimits.maxItemsPerBatch }, (_, i) => uuid(i));
    // A full JSON batch fits under the byte cap, so the byte cap does not shrink it...
    const jsonBatch = JSON.stringify({
      Items: ids,
      BatchInput: {
        appBundleIdentifier: `arn:aws:appfabric:eu-west-1:123456789012:appbundle/${UUID}`,
        maxWaitSeconds: 3600,
      },
    });
    expect(jsonBatch.length).toBeLessThan(LargeRunLimits.maxInputBytesPerBatch);
    // ...and the cap is below 256 KiB with room for the child's wrapper.
    expect(LargeRunLimits.maxInputBytesPerBatch).toBeLessThanOrEqual(256 * 1024 - 8 * 1024);
    // The child poll execution's input is smaller than the batch.
    const childInput = JSON.stringify({
      appBundleIdentifier: `arn:aws:appfabric:eu-west-1:123456789012:appbundle/${UUID}`,
      taskIdList: ids,
      maxWaitSeconds: 3600,
      [PARENT_EXECUTION_ID_FIELD]: `arn:aws:states:eu-west-1:123456789012:execution:${'x'.repeat(80)}:${'y'.repeat(80)}`,
    });
    expect(childInput.length).toBeLessThan(256 * 1024);
  });

  test.each([
    [0, {}, { children: 0, waves: 0, largestBatch: 0 }],
    [1, {}, { children: 1, waves: 1, largestBatch: 1 }],
    [10_000, {}, { children: 2, waves: 1, largestBatch: 5000 }],
    [10_001, {}, { children: 3, waves: 1, largestBatch: 5000 }],
    [1_000_000, {}, { children: 200, waves: 20, largestBatch: 5000 }],
    [
      1_000_000,
      { maxItemsPerBatch: 2500, maxConcurrency: 100 },
      { children: 400, waves: 4, largestBatch: 2500 },
    ],
  ])('planLargeRun(%i, %j)', (taskIds, options, plan) => {
    expect(planLargeRun(taskIds, options)).toEqual(plan);
  });

  test('planLargeRun refuses values the construct refuses', () => {
    expect(() => planLargeRun(-1)).toThrow(RangeError);
    expect(() => planLargeRun(10, { maxItemsPerBatch: 5001 })).toThrow(/maxItemsPerBatch/);
    expect(() => planLargeRun(10, { maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });
});
