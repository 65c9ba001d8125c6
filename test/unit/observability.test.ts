/**
 * What an operator sees of the stack, in the synthesized template: the dashboard and its URL output,
 * the execution log groups' names, and the completion event's pattern and permissions.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { CompletionEvent } from '../../lambda/contract/events';
import { MetricNames, StackNames } from '../../lambda/contract/stack';
import { TerminalStatuses } from '../../lambda/contract/statuses';
import { buildApp } from '../../lib/app';
import { renderAsl } from '../../lib/asl';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, read by shape
type Json = Record<string, any>;

function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { nag: false, env: {} });
  return Template.fromStack(stack);
}

/** A DashboardBody (an Fn::Join of strings and intrinsics) as JSON, intrinsics as `<…>`. */
function dashboardBody(template: Template): Json {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard.Properties.DashboardBody;
  const part = (p: unknown): string =>
    typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, '')}>`;
  return JSON.parse(typeof body === 'string' ? body : body['Fn::Join'][1].map(part).join(''));
}

describe('the dashboard', () => {
  const template = synth();
  const body = dashboardBody(template);
  const widgets = body.widgets as Json[];
  const titles = widgets.map((w) => w.properties.title);
  /** Every metric of a widget, as [namespace, name] (CloudWatch's compact form repeats with '.'). */
  const metricsOf = (title: string): string[][] => {
    const widget = widgets.find((w) => w.properties.title === title);
    let last: string[] = [];
    return (widget?.properties.metrics ?? []).map((m: unknown[]) => {
      const names = m.filter((x) => typeof x === 'string') as string[];
      const resolved = names.map((n, i) => (n === '.' ? last[i] : n));
      last = resolved;
      return resolved.slice(0, 2);
    });
  };

  test('is one dashboard with the six graphs an operator needs', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(titles).toEqual([
      'Runs started and failed',
      'Tasks by outcome',
      'BatchGetUserAccessTasks calls',
      'Throttles',
      'Function errors and duration',
      'Dead-letter queue depth',
    ]);
  });

  test("graphs the function's own metrics by their contract names", () => {
    expect(metricsOf('Runs started and failed')).toEqual(
      expect.arrayContaining([
        [MetricNames.namespace, MetricNames.runsStarted],
        [MetricNames.namespace, MetricNames.runsFailed],
        ['AWS/States', 'ExecutionsFailed'],
      ]),
    );
    expect(metricsOf('Tasks by outcome')).toEqual(
      TerminalStatuses.map((s) => [MetricNames.namespace, MetricNames.tasks(s)]),
    );
    expect(metricsOf('BatchGetUserAccessTasks calls')).toEqual([
      [MetricNames.namespace, MetricNames.batchGetCalls],
      [MetricNames.namespace, MetricNames.batchGetFailedCalls],
    ]);
  });

  test('graphs throttles, function errors and duration, and the dead-letter queue', () => {
    expect(metricsOf('Throttles')).toEqual([
      ['AWS/States', 'ExecutionThrottled'],
      ['AWS/Lambda', 'Throttles'],
    ]);
    expect(metricsOf('Function errors and duration')).toEqual([
      ['AWS/Lambda', 'Errors'],
      ['AWS/Lambda', 'Duration'],
    ]);
    expect(metricsOf('Dead-letter queue depth')).toEqual([['AWS/SQS', 'ApproximateNumberOfMessagesVisible']]);
  });

  test('its console URL is a stack output', () => {
    const output = template.toJSON().Outputs[StackNames.outputs.dashboardUrl];
    const joined = JSON.stringify(output.Value);
    expect(joined).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    expect(joined).toContain('#dashboards/dashboard/');
  });
});

describe('execution log groups', () => {
  test.each([
    ['the poll state machine', {}, 1],
    ['both state machines with large runs', { largeRuns: true }, 2],
  ])('%s log under /aws/vendedlogs/states/', (_what, context, count) => {
    // Prepare: the log groups the state machines' LoggingConfiguration names.
    const template = synth(context);
    const groups = template.findResources('AWS::Logs::LogGroup');
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const named = machines.map((m) => {
      const arn = m.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
      return groups[arn['Fn::GetAtt'][0]].Properties.LogGroupName;
    });
    // Assess
    expect(named).toHaveLength(count);
    for (const name of named) expect(name).toMatch(/^\/aws\/vendedlogs\/states\/AppFabricAccessPoller-/);
    expect(new Set(named).size).toBe(count);
  });
});

describe('the completion event', () => {
  const template = synth();

  test('the state machine sends it with source and detail-type of the contract', () => {
    // Prepare: the poll state machine's definition as ASL.
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const states = Object.values(renderAsl(machine.Properties.DefinitionString).States as Json);
    // Assess: three putEvents states (one per way a run ends), each with one entry of the contract.
    const senders = states.filter((s) => s.Resource === 'arn:aws:states:::events:putEvents');
    expect(senders).toHaveLength(3);
    for (const sender of senders) {
      expect(sender.Parameters.Entries).toEqual([
        expect.objectContaining({ Source: CompletionEvent.source, DetailType: CompletionEvent.detailType }),
      ]);
    }
  });

  test("it cannot start a run: the trigger's pattern does not match its detail-type", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    for (const rule of rules) {
      const pattern = rule.Properties.EventPattern;
      if (!pattern) continue;
      expect(pattern['detail-type']).toBeDefined();
      expect(pattern['detail-type']).not.toContain(CompletionEvent.detailType);
    }
  });
});
