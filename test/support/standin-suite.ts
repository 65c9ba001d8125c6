/**
 * Shared setup of the AppFabric stand-in suites: the stand-in with one bundle over HTTP, clients against it,
 * raw POSTs for what the client cannot send.
 */
import {
  AppFabricClient,
  type AppFabricClientConfig,
  BatchGetUserAccessTasksCommand,
} from '../../lambda/appfabric';
import { type AppFabricStandIn, startAppFabricStandIn } from '../../local/appfabric-standin';

export const BUNDLE_UUID = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
export const BUNDLE_ARN = `arn:aws:appfabric:eu-west-1:210987654321:appbundle/${BUNDLE_UUID}`;
export const UNKNOWN_ID = '9abcdef9-9999-4999-8999-99999999abcd';
export const FAKE_AUTH =
  'AWS4-HMAC-SHA256 Credential=AKIDRAW/20260101/us-east-1/appfabric/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=' +
  'a'.repeat(64);

export let standIn: AppFabricStandIn;
/** Clients a test made itself; destroyed after each test. */
const clients: AppFabricClient[] = [];

export const newClient = (config: AppFabricClientConfig = {}) => {
  const client = new AppFabricClient({
    region: 'us-east-1',
    endpoint: standIn.url,
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'standin-secret' },
    maxAttempts: 1,
    ...config,
  });
  clients.push(client);
  return client;
};

export const poll = (taskIdList: string[], appBundleIdentifier = BUNDLE_UUID, client = newClient()) =>
  client.send(new BatchGetUserAccessTasksCommand({ appBundleIdentifier, taskIdList }));

export const statuses = async (taskIdList: string[]) =>
  ((await poll(taskIdList)).userAccessResultsList ?? []).map((r) => r.resultStatus);

export { failure } from './run';

export const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${standIn.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });

/** Starts the stand-in with one bundle for the suite; after each test destroys the clients and clears faults and calls. */
export function useStandIn(): void {
  beforeAll(async () => {
    standIn = await startAppFabricStandIn();
    standIn.addBundle(BUNDLE_ARN, [
      { app: 'SLACK', tenantId: 'T01', tenantDisplayName: 'Acme' },
      { app: 'GITHUB', tenantId: 'acme-org' },
    ]);
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
    standIn.clearFaults();
    standIn.resetCalls();
  });

  afterAll(async () => {
    await standIn.close();
  });
}
