/**
 * Shared setup of the AppFabric client suites: one stand-in over HTTP and clients made against it,
 * cleaned up after each test.
 */
import { AppFabricClient, type AppFabricClientConfig } from '../../lambda/appfabric';
import { type AppFabricStandIn, startAppFabricStandIn } from '../../local/appfabric-standin';

export { failure } from './run';

export const BUNDLE_UUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const BUNDLE_ARN = `arn:aws:appfabric:us-east-1:123456789012:appbundle/${BUNDLE_UUID}`;
export const CREDENTIALS = { accessKeyId: 'AKIDCLIENTTEST', secretAccessKey: 'client-test-secret' };
export const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=AKIDCLIENTTEST\/\d{8}\/us-east-1\/appfabric\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/;

const SIGV4_ANY_KEY =
  /^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+\/\d{8}\/[a-z0-9-]+\/appfabric\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/;

export let standIn: AppFabricStandIn;
/** Clients a test made itself; destroyed after each test. */
export const clients: AppFabricClient[] = [];

export const newClient = (config: AppFabricClientConfig = {}) => {
  const client = new AppFabricClient({
    region: 'us-east-1',
    endpoint: standIn.url,
    credentials: CREDENTIALS,
    ...config,
  });
  clients.push(client);
  return client;
};

/** Sets an environment variable for the duration of `fn`, then restores it. */
export const withEnv = async (name: string, value: string | undefined, fn: () => Promise<void>) => {
  const previous = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    await fn();
  } finally {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  }
};

/** Starts the stand-in for the suite; after each test destroys the clients, clears faults and checks every call was signed. */
export function useClientStandIn(): void {
  beforeAll(async () => {
    standIn = await startAppFabricStandIn({ seed: 7 });
    standIn.addBundle(BUNDLE_ARN, [
      { app: 'SLACK', tenantId: 'T01', tenantDisplayName: 'Acme workspace' },
      { app: 'OKTA', tenantId: 'acme.okta.com', tenantDisplayName: 'Acme Okta' },
    ]);
  });

  afterEach(() => {
    const calls = [...standIn.calls];
    for (const client of clients.splice(0)) client.destroy();
    standIn.clearFaults();
    standIn.resetCalls();
    // Every request any test made was signed for appfabric.
    for (const call of calls) expect(call.headers.authorization).toMatch(SIGV4_ANY_KEY);
  });

  afterAll(async () => {
    await standIn.close();
  });
}
