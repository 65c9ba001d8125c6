/**
 * Counts the DynamoDB requests the handler sends, by the state machine state that sent them and by
 * command (BatchWriteCommand, GetCommand, ...). Pass `wrap` as the harness's `wrapDocumentClient` and
 * set `state` before each invocation (the harness's `beforeInvoke`).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export class RequestCounter {
  /** The state whose invocation is running. */
  state = 'none';
  private readonly counts = new Map<string, Map<string, number>>();

  readonly wrap = (client: DynamoDBDocumentClient): DynamoDBDocumentClient => {
    const send = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
    const counting = (command: unknown, ...rest: unknown[]) => {
      const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? 'Unknown';
      const byCommand = this.counts.get(this.state) ?? new Map<string, number>();
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      this.counts.set(this.state, byCommand);
      return send(command, ...rest);
    };
    client.send = counting as typeof client.send;
    return client;
  };

  /** Requests of one command sent while `state` ran. */
  count(state: string, command: string): number {
    return this.counts.get(state)?.get(command) ?? 0;
  }

  /** Every command sent while `state` ran, with its count. */
  byCommand(state: string): Record<string, number> {
    return Object.fromEntries(this.counts.get(state) ?? []);
  }

  reset(): void {
    this.counts.clear();
  }
}
