import { makeBuilder } from '@smithy/core/client';
import { getEndpointPlugin } from '@smithy/core/endpoints';
import type { EndpointParameterInstructions, Pluggable } from '@smithy/types';
import type { AppFabricClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from './AppFabricClient';
import { commonParams } from './endpoint/EndpointParameters';

/** @internal Builds a command class: endpoint parameters, extra middleware, operation name, schema. */
export const command = makeBuilder<AppFabricClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes>(
  commonParams,
  'FabricFrontEndService',
  'AppFabricClient',
  getEndpointPlugin,
);

/** @internal No operation-specific endpoint parameters. */
export const _ep0: EndpointParameterInstructions = {};

/** @internal No operation-specific middleware. */
export const _mw0 = (): Pluggable<ServiceInputTypes, ServiceOutputTypes>[] => [];
