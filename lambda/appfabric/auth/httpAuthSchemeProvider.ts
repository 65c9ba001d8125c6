import {
  type AwsSdkSigV4AuthInputConfig,
  type AwsSdkSigV4AuthResolvedConfig,
  type AwsSdkSigV4PreviouslyResolved,
  resolveAwsSdkSigV4Config,
} from '@aws-sdk/core/httpAuthSchemes';
import { getSmithyContext, normalizeProvider } from '@smithy/core/client';
import type {
  HandlerExecutionContext,
  HttpAuthOption,
  HttpAuthScheme,
  HttpAuthSchemeParameters,
  HttpAuthSchemeParametersProvider,
  HttpAuthSchemeProvider,
  Provider,
} from '@smithy/types';
import type { AppFabricClientResolvedConfig } from '../AppFabricClient';

export interface AppFabricHttpAuthSchemeParameters extends HttpAuthSchemeParameters {
  region?: string;
}

export interface AppFabricHttpAuthSchemeParametersProvider
  extends HttpAuthSchemeParametersProvider<
    AppFabricClientResolvedConfig,
    HandlerExecutionContext,
    AppFabricHttpAuthSchemeParameters,
    object
  > {}

export const defaultAppFabricHttpAuthSchemeParametersProvider = async (
  config: AppFabricClientResolvedConfig,
  context: HandlerExecutionContext,
  _input: object,
): Promise<AppFabricHttpAuthSchemeParameters> => {
  const region = await normalizeProvider(config.region)();
  if (!region) throw new Error('expected `region` to be configured for `aws.auth#sigv4`');
  return { operation: getSmithyContext(context).operation as string, region };
};

export interface AppFabricHttpAuthSchemeProvider
  extends HttpAuthSchemeProvider<AppFabricHttpAuthSchemeParameters> {}

/** Every AppFabric operation is signed with SigV4, signing name `appfabric`. */
export const defaultAppFabricHttpAuthSchemeProvider: AppFabricHttpAuthSchemeProvider = (
  authParameters,
): HttpAuthOption[] => [
  {
    schemeId: 'aws.auth#sigv4',
    signingProperties: { name: 'appfabric', region: authParameters.region },
    propertiesExtractor: (config, context) => ({ signingProperties: { config, context } }),
  },
];

export interface HttpAuthSchemeInputConfig extends AwsSdkSigV4AuthInputConfig {
  authSchemePreference?: string[] | Provider<string[]>;
  httpAuthSchemes?: HttpAuthScheme[];
  httpAuthSchemeProvider?: AppFabricHttpAuthSchemeProvider;
}

export interface HttpAuthSchemeResolvedConfig extends AwsSdkSigV4AuthResolvedConfig {
  readonly authSchemePreference: Provider<string[]>;
  readonly httpAuthSchemes: HttpAuthScheme[];
  readonly httpAuthSchemeProvider: AppFabricHttpAuthSchemeProvider;
}

export const resolveHttpAuthSchemeConfig = <T>(
  config: T & HttpAuthSchemeInputConfig & AwsSdkSigV4PreviouslyResolved,
): T & HttpAuthSchemeResolvedConfig => {
  const config_0 = resolveAwsSdkSigV4Config(config);
  return Object.assign(config_0, {
    authSchemePreference: normalizeProvider(config.authSchemePreference ?? []),
  }) as T & HttpAuthSchemeResolvedConfig;
};
