/** The cdk-nag acknowledgements of the large-run workflow, each with its reason. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledgeWildcardResource } from '../nag';
import { LargeRunFormats } from './names';

export function acknowledgeLargeRunFindings(
  stateMachine: sfn.StateMachine,
  pollStateMachine: sfn.IStateMachine,
  inputObjects: string,
  results: string,
): void {
  const role = stateMachine.role;
  const stack = Stack.of(stateMachine);
  acknowledgeWildcardResource(
    role,
    inputObjects,
    "s3:GetObject only, on the input/ prefix of this construct's bucket: the ItemReader reads the task ID " +
      'list an execution names by key, which is only known at run time.',
  );
  acknowledgeWildcardResource(
    role,
    results,
    "s3:PutObject, GetObject, ListMultipartUploadParts and AbortMultipartUpload on the results/ prefix of this construct's " +
      'bucket only: the ResultWriter writes results/<map run id>/*, a name chosen by Step Functions at run time.',
  );
  acknowledgeWildcardResource(
    role,
    stack.formatArn({
      service: 'states',
      resource: 'execution',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${stack.splitArn(pollStateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}*`,
    }),
    'states:DescribeExecution and StopExecution on the executions of the poll state machine only (their names ' +
      'are generated at run time): startExecution.sync:2 follows each child run and stops it when its map child stops.',
  );
  const ownExecutions = (suffix: string) =>
    stack.formatArn({
      service: 'states',
      resource: 'execution',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      // As the CDK's grant names it: the name split from the ARN, not the Name attribute.
      resourceName: `${stack.splitArn(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}${suffix}`,
    });
  acknowledgeWildcardResource(
    stateMachine,
    ownExecutions(':*'),
    'states:DescribeExecution and StopExecution on the executions of this state machine only: the Distributed ' +
      'Map (CDK DistributedMapPolicy) follows and stops its own Map Run child executions, named at run time.',
  );
  for (const { label } of Object.values(LargeRunFormats)) {
    acknowledgeWildcardResource(
      stateMachine,
      ownExecutions(`/${label}:*`),
      `states:RedriveExecution on the Map Run child executions of the ${label} Distributed Map of this state ` +
        'machine only (CDK DistributedMapPolicy): redriving a run redrives its failed children, named at run time.',
    );
  }
  acknowledgeWildcardResource(
    role,
    '*',
    'Only for actions without resource-level permissions: X-Ray tracing (xray:PutTraceSegments, ' +
      'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended delivery ' +
      '(logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
      'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) that tracing and execution logging need.',
  );
}
