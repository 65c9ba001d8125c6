import {
  createDefaultUserAgentProvider,
  getDefaultSocketTimeout,
  NODE_APP_ID_CONFIG_OPTIONS,
} from '@aws-sdk/core/client';
import { AwsSdkSigV4Signer, NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } from '@aws-sdk/core/httpAuthSchemes';
import { AwsRestJsonProtocol } from '@aws-sdk/core/protocols';
import { defaultProvider as credentialDefaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { emitWarningIfUnsupportedVersion, loadConfigsForDefaultMode, NoOpLogger } from '@smithy/core/client';
import {
  loadConfig as loadNodeConfig,
  NODE_REGION_CONFIG_FILE_OPTIONS,
  NODE_REGION_CONFIG_OPTIONS,
  NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS,
  resolveDefaultsModeConfig,
} from '@smithy/core/config';
import { parseUrl } from '@smithy/core/protocols';
import {
  DEFAULT_RETRY_MODE,
  NODE_MAX_ATTEMPT_CONFIG_OPTIONS,
  NODE_RETRY_MODE_CONFIG_OPTIONS,
} from '@smithy/core/retry';
import { calculateBodyLength, fromBase64, fromUtf8, toBase64, toUtf8 } from '@smithy/core/serde';
import { NodeHttpHandler as RequestHandler, streamCollector } from '@smithy/node-http-handler';
import type { IdentityProviderConfig } from '@smithy/types';
import type { AppFabricClientConfig } from './AppFabricClient';
import { defaultAppFabricHttpAuthSchemeProvider } from './auth/httpAuthSchemeProvider';
import { defaultEndpointResolver } from './endpoint/endpointResolver';
import { errorTypeRegistries } from './schemas/schemas_0';

/** Version reported in the user agent (`api/AppFabric#<version>`). */
export const CLIENT_VERSION = '3.0.0-local';
/** Matches the model's `serviceId`: the SDK derives `AWS_ENDPOINT_URL_APPFABRIC` and the `appfabric` config section from it. */
export const SERVICE_ID = 'AppFabric';
/**
 * Attempts per call (first try included) unless `maxAttempts`, `AWS_MAX_ATTEMPTS` or `max_attempts` say otherwise.
 * The SDK's own default is 3.
 */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Node.js defaults for every option the caller leaves out (what `runtimeConfig.ts` + `.shared.ts` do officially). */
export const getRuntimeConfig = (config: AppFabricClientConfig) => {
  emitWarningIfUnsupportedVersion(process.version);
  const defaultsMode = resolveDefaultsModeConfig(config);
  const defaultConfigProvider = () => defaultsMode().then(loadConfigsForDefaultMode);
  const logger = config?.logger ?? new NoOpLogger();
  const loaderConfig = { profile: config?.profile, logger };
  return {
    apiVersion: '2023-05-19',
    base64Decoder: config?.base64Decoder ?? fromBase64,
    base64Encoder: config?.base64Encoder ?? toBase64,
    disableHostPrefix: config?.disableHostPrefix ?? false,
    endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
    httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? defaultAppFabricHttpAuthSchemeProvider,
    httpAuthSchemes: config?.httpAuthSchemes ?? [
      {
        schemeId: 'aws.auth#sigv4',
        identityProvider: (ipc: IdentityProviderConfig) => ipc.getIdentityProvider('aws.auth#sigv4'),
        signer: new AwsSdkSigV4Signer(),
      },
    ],
    logger,
    protocol: config?.protocol ?? AwsRestJsonProtocol,
    protocolSettings: config?.protocolSettings ?? {
      defaultNamespace: 'com.amazonaws.appfabric',
      errorTypeRegistries,
      version: '2023-05-19',
    },
    serviceId: config?.serviceId ?? SERVICE_ID,
    sha256: config?.sha256 ?? Sha256,
    urlParser: config?.urlParser ?? parseUrl,
    utf8Decoder: config?.utf8Decoder ?? fromUtf8,
    utf8Encoder: config?.utf8Encoder ?? toUtf8,
    ...config,
    runtime: 'node',
    defaultsMode,
    authSchemePreference:
      config?.authSchemePreference ?? loadNodeConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, loaderConfig),
    bodyLengthChecker: config?.bodyLengthChecker ?? calculateBodyLength,
    credentialDefaultProvider: config?.credentialDefaultProvider ?? credentialDefaultProvider,
    defaultSocketTimeout: getDefaultSocketTimeout(config?.requestHandler, 300_000),
    defaultUserAgentProvider:
      config?.defaultUserAgentProvider ??
      createDefaultUserAgentProvider({ serviceId: SERVICE_ID, clientVersion: CLIENT_VERSION }),
    maxAttempts:
      config?.maxAttempts ??
      loadNodeConfig({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS }, config),
    region:
      config?.region ??
      loadNodeConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderConfig }),
    requestHandler: RequestHandler.create(config?.requestHandler ?? defaultConfigProvider),
    retryMode:
      config?.retryMode ??
      loadNodeConfig(
        {
          ...NODE_RETRY_MODE_CONFIG_OPTIONS,
          default: async () => (await defaultConfigProvider()).retryMode || DEFAULT_RETRY_MODE,
        },
        config,
      ),
    streamCollector: config?.streamCollector ?? streamCollector,
    useDualstackEndpoint:
      config?.useDualstackEndpoint ??
      loadNodeConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
    useFipsEndpoint:
      config?.useFipsEndpoint ?? loadNodeConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, loaderConfig),
    userAgentAppId: config?.userAgentAppId ?? loadNodeConfig(NODE_APP_ID_CONFIG_OPTIONS, loaderConfig),
  };
};
