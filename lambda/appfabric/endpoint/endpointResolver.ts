import { awsEndpointFunctions } from '@aws-sdk/util-endpoints';
import type { EndpointV2, Logger } from '@smithy/types';
import {
  customEndpointFunctions,
  EndpointCache,
  type EndpointParams,
  resolveEndpoint,
} from '@smithy/util-endpoints';
import type { EndpointParameters } from './EndpointParameters';
import { ruleSet } from './ruleset';

const cache = new EndpointCache({ size: 50, params: ['Endpoint', 'Region', 'UseDualStack', 'UseFIPS'] });

/** Resolves an endpoint from the official AppFabric rule set (throws `EndpointError` on invalid configuration). */
export const defaultEndpointResolver = (
  endpointParams: EndpointParameters,
  context: { logger?: Logger } = {},
): EndpointV2 =>
  cache.get(endpointParams as EndpointParams, () =>
    resolveEndpoint(ruleSet, { endpointParams: endpointParams as EndpointParams, logger: context.logger }),
  );

// The rule set calls aws.partition(); register the AWS functions (idempotent, shared by every client).
customEndpointFunctions.aws = awsEndpointFunctions;
