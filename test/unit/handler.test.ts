/** The handler over in-memory ports: it hands Lambda's remaining time to the poll cycle. */
import type { Context } from 'aws-lambda';
import { Actions } from '../../lambda/contract/workflow';
import type { LoopState } from '../../lambda/core/model';
import { makeHandler } from '../../lambda/handler';
import { fakeWorld } from '../support/fakes';

const contextWith = (remainingMs: number) =>
  ({
    getRemainingTimeInMillis: () => remainingMs,
    functionName: 'poller',
    awsRequestId: 'r',
  }) as unknown as Context;

describe('the poll action', () => {
  it('starts no BatchGet call when the invocation has no time left, and loses no task', async () => {
    // Prepare
    const world = fakeWorld();
    const handler = makeHandler(() => ({ deps: world.deps, startTasksForEmails: world.starter }));
    const ids = world.gateway.addTasks(120);
    const state = (await handler({
      action: Actions.start,
      runId: 'late',
      input: { taskIdList: ids },
    })) as LoopState;

    // Act
    const out = (await handler({ action: Actions.poll, state }, contextWith(1_000))) as LoopState;
    const next = (await handler({ action: Actions.poll, state: out }, contextWith(60_000))) as LoopState;

    // Assess
    expect(out).toMatchObject({ status: 'PENDING', cycle: 1, counts: { pending: 120 } });
    expect(world.log.entries.find((e) => e.message === 'cycle out of time')?.extra).toMatchObject({
      unaskedChunks: 3,
    });
    expect(next).toMatchObject({ status: 'DONE', counts: { COMPLETED: 120, pending: 0 } });
    expect(world.gateway.batchGetCalls).toHaveLength(3);
  });
});
