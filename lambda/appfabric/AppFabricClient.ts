import {
  getHostHeaderPlugin,
  getLoggerPlugin,
  getRecursionDetectionPlugin,
  getUserAgentPlugin,
  type HostHeaderInputConfig,
  type HostHeaderResolvedConfig,
  resolveHostHeaderConfig,
  resolveUserAgentConfig,
  type UserAgentInputConfig,
  type UserAgentResolvedConfig,
} from '@aws-sdk/core/client';
import {
  DefaultIdentityProviderConfig,
  getHttpAuthSchemeEndpointRuleSetPlugin,
  getHttpSigningPlugin,
} from '@smithy/core';
import {
  Client as __Client,
  type DefaultsMode as __DefaultsMode,
  type SmithyConfiguration as __SmithyConfiguration,
  type SmithyResolvedConfiguration as __SmithyResolvedConfiguration,
} from '@smithy/core/client';
import { type RegionInputConfig, type RegionResolvedConfig, resolveRegionConfig } from '@smithy/core/config';
import {
  type EndpointInputConfig,
  type EndpointResolvedConfig,
  resolveEndpointConfig,
} from '@smithy/core/endpoints';
import {
  type HttpHandlerUserInput as __HttpHandlerUserInput,
  getContentLengthPlugin,
} from '@smithy/core/protocols';
import {
  getRetryPlugin,
  type RetryInputConfig,
  type RetryResolvedConfig,
  resolveRetryConfig,
} from '@smithy/core/retry';
import { getSchemaSerdePlugin } from '@smithy/core/schema';
import type {
  BodyLengthCalculator as __BodyLengthCalculator,
  CheckOptionalClientConfig as __CheckOptionalClientConfig,
  ChecksumConstructor as __ChecksumConstructor,
  Decoder as __Decoder,
  Encoder as __Encoder,
  HashConstructor as __HashConstructor,
  HttpHandlerOptions as __HttpHandlerOptions,
  Logger as __Logger,
  Provider as __Provider,
  StreamCollector as __StreamCollector,
  UrlParser as __UrlParser,
  UserAgent as __UserAgent,
  AwsCredentialIdentityProvider,
} from '@smithy/types';
import {
  defaultAppFabricHttpAuthSchemeParametersProvider,
  type HttpAuthSchemeInputConfig,
  type HttpAuthSchemeResolvedConfig,
  resolveHttpAuthSchemeConfig,
} from './auth/httpAuthSchemeProvider';
import type {
  BatchGetUserAccessTasksCommandInput,
  BatchGetUserAccessTasksCommandOutput,
} from './commands/BatchGetUserAccessTasksCommand';
import type {
  StartUserAccessTasksCommandInput,
  StartUserAccessTasksCommandOutput,
} from './commands/StartUserAccessTasksCommand';
import {
  type ClientInputEndpointParameters,
  type ClientResolvedEndpointParameters,
  type EndpointParameters,
  resolveClientEndpointParameters,
} from './endpoint/EndpointParameters';
import { getRuntimeConfig as __getRuntimeConfig } from './runtimeConfig';

export { __Client };

export type ServiceInputTypes = BatchGetUserAccessTasksCommandInput | StartUserAccessTasksCommandInput;
export type ServiceOutputTypes = BatchGetUserAccessTasksCommandOutput | StartUserAccessTasksCommandOutput;

/** Options with Node.js defaults (see `runtimeConfig.ts`); the same names as `@aws-sdk/client-appfabric`. */
export interface ClientDefaults extends Partial<__SmithyConfiguration<__HttpHandlerOptions>> {
  /** The HTTP handler, or options for the default `NodeHttpHandler` (e.g. `{ requestTimeout }`). */
  requestHandler?: __HttpHandlerUserInput;
  /** @internal */
  sha256?: __ChecksumConstructor | __HashConstructor;
  /** @internal */
  urlParser?: __UrlParser;
  /** @internal */
  bodyLengthChecker?: __BodyLengthCalculator;
  /** @internal */
  streamCollector?: __StreamCollector;
  /** @internal */
  base64Decoder?: __Decoder;
  /** @internal */
  base64Encoder?: __Encoder;
  /** @internal */
  utf8Decoder?: __Decoder;
  /** @internal */
  utf8Encoder?: __Encoder;
  /** @internal */
  runtime?: string;
  disableHostPrefix?: boolean;
  /** @internal Names the service for `AWS_ENDPOINT_URL_<SERVICE_ID>` and the user agent: `AppFabric`. */
  serviceId?: string;
  useDualstackEndpoint?: boolean | __Provider<boolean>;
  useFipsEndpoint?: boolean | __Provider<boolean>;
  /** The AWS region to send requests to; defaults to `AWS_REGION` / the shared config profile. */
  region?: string | __Provider<string>;
  /** Shared config profile to read settings from. */
  profile?: string;
  /** @internal */
  defaultUserAgentProvider?: __Provider<__UserAgent>;
  /** Default credential chain; used when `credentials` is not given. */
  credentialDefaultProvider?: (input: unknown) => AwsCredentialIdentityProvider;
  /** Most attempts per call, first included (default 3, or `AWS_MAX_ATTEMPTS`). */
  maxAttempts?: number | __Provider<number>;
  /** `standard` (default) or `adaptive`. */
  retryMode?: string | __Provider<string>;
  logger?: __Logger;
  defaultsMode?: __DefaultsMode | __Provider<__DefaultsMode>;
}

export type AppFabricClientConfigType = Partial<__SmithyConfiguration<__HttpHandlerOptions>> &
  ClientDefaults &
  UserAgentInputConfig &
  RetryInputConfig &
  RegionInputConfig &
  HostHeaderInputConfig &
  EndpointInputConfig<EndpointParameters> &
  HttpAuthSchemeInputConfig &
  ClientInputEndpointParameters;

/** Constructor options of {@link AppFabricClient}. */
export interface AppFabricClientConfig extends AppFabricClientConfigType {}

export type AppFabricClientResolvedConfigType = __SmithyResolvedConfiguration<__HttpHandlerOptions> &
  Required<ClientDefaults> &
  UserAgentResolvedConfig &
  RetryResolvedConfig &
  RegionResolvedConfig &
  HostHeaderResolvedConfig &
  EndpointResolvedConfig<EndpointParameters> &
  HttpAuthSchemeResolvedConfig &
  ClientResolvedEndpointParameters;

/** The resolved configuration of {@link AppFabricClient}. */
export interface AppFabricClientResolvedConfig extends AppFabricClientResolvedConfigType {}

/**
 * A minimal AppFabric client (BatchGetUserAccessTasks, StartUserAccessTasks) built like the generated
 * `@aws-sdk/client-appfabric`: restJson1 schema serde, SigV4 (`appfabric`), the standard retry strategy,
 * endpoint from the official rule set, `AWS_ENDPOINT_URL_APPFABRIC` honoured.
 */
export class AppFabricClient extends __Client<
  __HttpHandlerOptions,
  ServiceInputTypes,
  ServiceOutputTypes,
  AppFabricClientResolvedConfig
> {
  override readonly config: AppFabricClientResolvedConfig;

  constructor(...[configuration]: __CheckOptionalClientConfig<AppFabricClientConfig>) {
    const _config_0 = __getRuntimeConfig(configuration || {});
    super(_config_0 as never);
    this.initConfig = _config_0;
    const _config_1 = resolveClientEndpointParameters(_config_0);
    const _config_2 = resolveUserAgentConfig(_config_1);
    const _config_3 = resolveRetryConfig(_config_2);
    const _config_4 = resolveRegionConfig(_config_3);
    const _config_5 = resolveHostHeaderConfig(_config_4);
    const _config_6 = resolveEndpointConfig(_config_5);
    const _config_7 = resolveHttpAuthSchemeConfig(_config_6);
    this.config = _config_7 as AppFabricClientResolvedConfig;
    this.middlewareStack.use(getSchemaSerdePlugin(this.config));
    this.middlewareStack.use(getUserAgentPlugin(this.config));
    this.middlewareStack.use(getRetryPlugin(this.config));
    this.middlewareStack.use(getContentLengthPlugin(this.config));
    this.middlewareStack.use(getHostHeaderPlugin(this.config));
    this.middlewareStack.use(getLoggerPlugin(this.config));
    this.middlewareStack.use(getRecursionDetectionPlugin(this.config));
    this.middlewareStack.use(
      getHttpAuthSchemeEndpointRuleSetPlugin(this.config, {
        httpAuthSchemeParametersProvider: defaultAppFabricHttpAuthSchemeParametersProvider,
        identityProviderConfigProvider: async (config) =>
          new DefaultIdentityProviderConfig({ 'aws.auth#sigv4': config.credentials }),
      }),
    );
    this.middlewareStack.use(getHttpSigningPlugin(this.config));
  }

  /** Closes the HTTP handler's sockets. */
  override destroy(): void {
    super.destroy();
  }
}
