import { PARENT_EXECUTION_ID_FIELD } from '../../lambda/contract/limits';
import { parseExecutionInput } from '../../lambda/core/input';

/**
 * Whether the poll workflow accepts `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` in its input: its Start
 * state hands the whole input to the function, whose input check refuses fields it does not know. The
 * stack associates child executions with their parent only when this is true, so a child never fails on
 * the association field.
 */
export function pollInputAcceptsParentExecutionId(): boolean {
  try {
    parseExecutionInput(
      {
        taskIdList: ['00000000-0000-4000-8000-000000000000'],
        [PARENT_EXECUTION_ID_FIELD]: 'arn:aws:states:us-east-1:000000000000:execution:large-run:parent',
      },
      { appBundleIdentifier: '00000000-0000-4000-8000-000000000001', minWaitSeconds: 1 },
    );
    return true;
  } catch {
    return false;
  }
}
