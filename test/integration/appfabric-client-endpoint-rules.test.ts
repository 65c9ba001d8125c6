/**
 * The AppFabric client's endpoint resolution against the official endpoint rule-set tests.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { BatchGetUserAccessTasksCommand, type EndpointParameters } from '../../lambda/appfabric';
import { BUNDLE_UUID, newClient, useClientStandIn } from '../support/appfabric-client';

useClientStandIn();

describe('AppFabric endpoint rule set (official endpoint tests)', () => {
  interface EndpointTestCase {
    documentation: string;
    params?: EndpointParameters;
    expect: { endpoint?: { url: string; properties?: object; headers?: object }; error?: string };
  }
  // The official cases, kept in the repository (see test/fixtures/README.md).
  const { testCases } = JSON.parse(
    readFileSync(resolve(__dirname, '..', 'fixtures', 'appfabric.endpoint-tests-1.json'), 'utf8'),
  ) as {
    testCases: EndpointTestCase[];
  };
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    // Endpoints configured in the environment would override the rule set for the client-level checks.
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_APPFABRIC']) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  });

  it('has the official cases', () => {
    // Assess
    expect(testCases.length).toBeGreaterThanOrEqual(21);
  });

  it.each(testCases.map((c) => [c.documentation, c] as const))('resolver: %s', (_name, testCase) => {
    // Prepare
    const client = newClient();
    const params = testCase.params ?? {};

    // Act
    let url: string | undefined;
    let endpoint: ReturnType<typeof client.config.endpointProvider> | undefined;
    let message: string | undefined;
    try {
      endpoint = client.config.endpointProvider(params);
      url = endpoint.url.href;
    } catch (e) {
      message = (e as Error).message;
    }

    // Assess
    if (testCase.expect.error !== undefined) {
      expect(message).toBe(testCase.expect.error);
      expect(url).toBeUndefined();
    } else {
      expect(message).toBeUndefined();
      expect(url).toBe(new URL(testCase.expect.endpoint?.url ?? '').href);
      if (testCase.expect.endpoint?.properties) {
        expect(endpoint?.properties).toEqual(testCase.expect.endpoint.properties);
      }
      if (testCase.expect.endpoint?.headers)
        expect(endpoint?.headers).toEqual(testCase.expect.endpoint.headers);
    }
  });

  // Through the client's config (region / useFipsEndpoint / useDualstackEndpoint / endpoint options mapped to the
  // rule set's built-ins by the command's endpoint instructions). Cases without Region cannot apply: a client
  // without a region fails before the rule set runs ("Region is missing"), so they are covered above only.
  const clientCases = testCases.filter((c) => c.params?.Region !== undefined);
  it.each(clientCases.map((c) => [c.documentation, c] as const))(
    'client config: %s',
    async (_name, testCase) => {
      // Prepare
      const params = testCase.params ?? {};
      const client = newClient({
        region: params.Region,
        useFipsEndpoint: params.UseFIPS ?? false,
        useDualstackEndpoint: params.UseDualStack ?? false,
        endpoint: params.Endpoint,
      });

      // Act
      let url: string | undefined;
      let message: string | undefined;
      try {
        const endpoint = await getEndpointFromInstructions(
          { appBundleIdentifier: BUNDLE_UUID, taskIdList: [] },
          BatchGetUserAccessTasksCommand,
          client.config,
        );
        url = endpoint.url.href;
      } catch (e) {
        message = (e as Error).message;
      }

      // Assess
      if (testCase.expect.error !== undefined) {
        expect(message).toBe(testCase.expect.error);
      } else {
        expect(message).toBeUndefined();
        expect(url).toBe(new URL(testCase.expect.endpoint?.url ?? '').href);
      }
    },
  );
});
