import type { Template } from 'aws-cdk-lib/assertions';
import { PARENT_EXECUTION_ID_FIELD } from '../../lambda/contract/limits';
import { ErrorNames } from '../../lambda/contract/workflow';
import { parseExecutionInput } from '../../lambda/core/input';
import {
  LargeRunFormats,
  LargeRunLimits,
  LargeRunStateNames,
  pollInputAcceptsParentExecutionId,
  TASK_ID_COLUMN,
} from '../../lib/large-run-workflow';
import { evaluate, type Json, largeRunFixture, renderAsl, UUID, uuid } from '../support/large-run';

describe('with largeRuns on', () => {
  let template: Template;
  let asl: Json;
  let states: Json;
  let ids: ReturnType<typeof largeRunFixture>['ids'];

  beforeAll(() => {
    ({ template, asl, states, ids } = largeRunFixture());
  });

  describe('definition', () => {
    test('applies the defaults, checks the input, then picks the reader by the key suffix', () => {
      expect(asl.StartAt).toBe(LargeRunStateNames.Defaults);
      expect(states.Defaults).toMatchObject({
        Type: 'Pass',
        Parameters: { defaults: { bucket: `<${ids.bucket}>`, maxWaitSeconds: 600 } },
        Next: LargeRunStateNames.ApplyDefaults,
      });
      expect(states.ApplyDefaults).toMatchObject({
        Type: 'Pass',
        Parameters: { 'run.$': 'States.JsonMerge($.defaults, $$.Execution.Input, false)' },
        OutputPath: '$.run',
        Next: LargeRunStateNames.CheckInput,
      });
      const check = states.CheckInput;
      expect(check.Type).toBe('Choice');
      expect(check.Default).toBe(LargeRunStateNames.InvalidKey);
      const routes = check.Choices.filter((c: Json) => c.StringMatches?.startsWith('*'));
      expect(routes).toEqual([
        { Variable: '$.key', StringMatches: '*.json', Next: LargeRunFormats.json.mapState },
        { Variable: '$.key', StringMatches: '*.csv', Next: LargeRunFormats.csv.mapState },
        { Variable: '$.key', StringMatches: '*.txt', Next: LargeRunFormats.lines.mapState },
      ]);
      // Every refusal comes before the first route, so no child starts on an input that is refused.
      const firstRoute = check.Choices.indexOf(routes[0]);
      const refusals = check.Choices.slice(0, firstRoute);
      expect(refusals).toEqual([
        { Not: { Variable: '$.key', IsPresent: true }, Next: 'InvalidKey' },
        { Not: { Variable: '$.key', IsString: true }, Next: 'InvalidKey' },
        { Not: { Variable: '$.key', StringMatches: 'input/*' }, Next: 'InvalidKey' },
        { Not: { Variable: '$.bucket', StringEquals: `<${ids.bucket}>` }, Next: 'InvalidBucket' },
        { Not: { Variable: '$.appBundleIdentifier', IsPresent: true }, Next: 'MissingAppBundle' },
        { Not: { Variable: '$.maxWaitSeconds', IsNumeric: true }, Next: 'InvalidMaxWait' },
        { Variable: '$.maxWaitSeconds', NumericLessThan: 5, Next: 'InvalidMaxWait' },
        { Variable: '$.maxWaitSeconds', NumericGreaterThan: 3600, Next: 'InvalidMaxWait' },
      ]);
      for (const name of ['InvalidKey', 'InvalidBucket', 'MissingAppBundle', 'InvalidMaxWait']) {
        expect(states[name]).toMatchObject({ Type: 'Fail', Error: ErrorNames.InvalidInput });
        expect(String(states[name].Cause).length).toBeGreaterThan(30);
      }
    });

    test.each(Object.entries(LargeRunFormats))(
      'the %s list is a Distributed Map: ItemReader s3:getObject, ItemBatcher, ResultWriter, MaxConcurrency',
      (format, names) => {
        const map = states[names.mapState];
        expect(map.Type).toBe('Map');
        expect(map.Next).toBe(LargeRunStateNames.Done);
        expect(map.Label).toBe(names.label);
        expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
        expect(map.ItemReader).toEqual({
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig:
            format === 'json'
              ? { InputType: 'JSON' }
              : format === 'csv'
                ? { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }
                : { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: [TASK_ID_COLUMN] },
          Parameters: { Bucket: `<${ids.bucket}>`, 'Key.$': '$.key' },
        });
        expect(map.ItemBatcher).toEqual({
          MaxItemsPerBatch: 5000,
          MaxInputBytesPerBatch: LargeRunLimits.maxInputBytesPerBatch,
          BatchInput: {
            'appBundleIdentifier.$': '$.appBundleIdentifier',
            'maxWaitSeconds.$': '$.maxWaitSeconds',
          },
        });
        expect(map.MaxConcurrency).toBe(10);
        // 0 is the ASL default: the first failed child fails the Map Run.
        expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
        expect(map.ItemsPath).toBeUndefined();
        // The results go to S3, so the output stays small whatever the number of children.
        expect(map.ResultWriter).toEqual({
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: `<${ids.bucket}>`, Prefix: 'results' },
        });
        expect(map.ResultSelector).toEqual({
          'mapRunArn.$': '$.MapRunArn',
          'results.$': '$.ResultWriterDetails',
        });
      },
    );

    test.each(Object.entries(LargeRunFormats))(
      'the %s map child starts the poll state machine with .sync:2 and keeps only the summary',
      (_format, names) => {
        const processor = states[names.mapState].ItemProcessor;
        expect(processor.StartAt).toBe(names.startState);
        expect(Object.keys(processor.States)).toEqual([names.startState]);
        const start = processor.States[names.startState];
        expect(start).toMatchObject({
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          End: true,
          ResultSelector: {
            'runId.$': '$.Output.runId',
            'executionArn.$': '$.ExecutionArn',
            'counts.$': '$.Output.counts',
            'cycles.$': '$.Output.cycles',
          },
        });
        expect(start.Parameters.StateMachineArn).toBe(`<${ids.poll}>`);
        // Retried only when the child could not start; a child that ran and failed is a failed item.
        expect(start.Retry.flatMap((r: Json) => r.ErrorEquals)).toEqual([
          'StepFunctions.ExecutionLimitExceeded',
        ]);
        expect(start.Catch).toBeUndefined();
        // A backstop just above the poll state machine's own timeout (deadline + wait + margin).
        const pollTimeout = template.toJSON().Resources[ids.poll].Properties;
        const pollAsl = renderAsl(pollTimeout.DefinitionString);
        expect(start.TimeoutSeconds).toBeGreaterThan(pollAsl.TimeoutSeconds);
        expect(start.TimeoutSeconds).toBeLessThanOrEqual(pollAsl.TimeoutSeconds + 3600);
      },
    );

    test.each(Object.entries(LargeRunFormats))(
      'a %s batch becomes an input the poll workflow accepts, with the IDs as taskIdList',
      (format, names) => {
        const start = states[names.mapState].ItemProcessor.States[names.startState];
        const ids3 = [uuid(1), uuid(2), uuid(3)];
        // What a map child receives: { Items, BatchInput }; JSON items are the strings, CSV rows objects.
        const batch = {
          Items: format === 'json' ? ids3 : ids3.map((id) => ({ [TASK_ID_COLUMN]: id })),
          BatchInput: { appBundleIdentifier: UUID, maxWaitSeconds: 120 },
        };
        const parent = 'arn:aws:states:eu-west-1:123456789012:execution:large:map-child';
        const childInput = evaluate(start.Parameters.Input, batch, { Execution: { Id: parent } });
        expect(childInput).toEqual({
          appBundleIdentifier: UUID,
          taskIdList: ids3,
          maxWaitSeconds: 120,
          ...(pollInputAcceptsParentExecutionId() ? { [PARENT_EXECUTION_ID_FIELD]: parent } : {}),
        });
        // The poll workflow's Start hands its whole input to this check.
        expect(parseExecutionInput(childInput, { minWaitSeconds: 10 })).toMatchObject({
          appBundleIdentifier: UUID,
          taskIdList: ids3,
          maxWaitSeconds: 120,
        });
        // A batch of one stays a list.
        const one = evaluate(
          start.Parameters.Input,
          { ...batch, Items: batch.Items.slice(0, 1) },
          { Execution: { Id: parent } },
        );
        expect(one.taskIdList).toEqual([ids3[0]]);
      },
    );

    test('links children to their parent only when the poll workflow accepts the field', () => {
      const accepts = pollInputAcceptsParentExecutionId();
      for (const names of Object.values(LargeRunFormats)) {
        const input = states[names.mapState].ItemProcessor.States[names.startState].Parameters.Input;
        expect(input[`${PARENT_EXECUTION_ID_FIELD}.$`]).toBe(accepts ? '$$.Execution.Id' : undefined);
      }
    });

    test('every state is reachable and the maps end in Done', () => {
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        expect(states[name]).toBeDefined();
        seen.add(name);
        const s = states[name];
        for (const next of [s.Next, s.Default, ...(s.Choices ?? []).map((c: Json) => c.Next)]) {
          if (next) visit(next);
        }
      };
      visit(asl.StartAt);
      expect([...seen].sort()).toEqual(Object.keys(states).sort());
      expect(states.Done.Type).toBe('Succeed');
    });

    test('is JSONPath only: no JSONata anywhere', () => {
      expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
      const walk = (v: unknown, key = ''): void => {
        if (key === 'QueryLanguage') expect(v).toBe('JSONPath');
        expect(['Arguments', 'Output', 'Assign', 'Items']).not.toContain(key);
        if (typeof v === 'string') expect(v).not.toMatch(/^\{%.*%\}$/s);
        if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) walk(c, k);
      };
      walk(asl);
    });
  });
});
