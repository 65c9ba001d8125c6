// Generated from botocore appfabric/2023-05-19/endpoint-rule-set-1.json (Apache-2.0); regenerate, do not edit.
import type { RuleSetObject } from '@smithy/util-endpoints';

export const ruleSet: RuleSetObject = {
  version: '1.0',
  parameters: {
    Region: {
      builtIn: 'AWS::Region',
      required: false,
      documentation: 'The AWS region used to dispatch the request.',
      type: 'string',
    },
    UseDualStack: {
      builtIn: 'AWS::UseDualStack',
      required: true,
      default: false,
      documentation:
        'When true, use the dual-stack endpoint. If the configured endpoint does not support dual-stack, dispatching the request MAY return an error.',
      type: 'boolean',
    },
    UseFIPS: {
      builtIn: 'AWS::UseFIPS',
      required: true,
      default: false,
      documentation:
        'When true, send this request to the FIPS-compliant regional endpoint. If the configured endpoint does not have a FIPS compliant endpoint, dispatching the request will return an error.',
      type: 'boolean',
    },
    Endpoint: {
      builtIn: 'SDK::Endpoint',
      required: false,
      documentation: 'Override the endpoint used to send this request',
      type: 'string',
    },
  },
  rules: [
    {
      conditions: [
        {
          fn: 'isSet',
          argv: [
            {
              ref: 'Endpoint',
            },
          ],
        },
      ],
      rules: [
        {
          conditions: [
            {
              fn: 'booleanEquals',
              argv: [
                {
                  ref: 'UseFIPS',
                },
                true,
              ],
            },
          ],
          error: 'Invalid Configuration: FIPS and custom endpoint are not supported',
          type: 'error',
        },
        {
          conditions: [],
          rules: [
            {
              conditions: [
                {
                  fn: 'booleanEquals',
                  argv: [
                    {
                      ref: 'UseDualStack',
                    },
                    true,
                  ],
                },
              ],
              error: 'Invalid Configuration: Dualstack and custom endpoint are not supported',
              type: 'error',
            },
            {
              conditions: [],
              endpoint: {
                url: {
                  ref: 'Endpoint',
                },
                properties: {},
                headers: {},
              },
              type: 'endpoint',
            },
          ],
          type: 'tree',
        },
      ],
      type: 'tree',
    },
    {
      conditions: [],
      rules: [
        {
          conditions: [
            {
              fn: 'isSet',
              argv: [
                {
                  ref: 'Region',
                },
              ],
            },
          ],
          rules: [
            {
              conditions: [
                {
                  fn: 'aws.partition',
                  argv: [
                    {
                      ref: 'Region',
                    },
                  ],
                  assign: 'PartitionResult',
                },
              ],
              rules: [
                {
                  conditions: [
                    {
                      fn: 'booleanEquals',
                      argv: [
                        {
                          ref: 'UseFIPS',
                        },
                        true,
                      ],
                    },
                    {
                      fn: 'booleanEquals',
                      argv: [
                        {
                          ref: 'UseDualStack',
                        },
                        true,
                      ],
                    },
                  ],
                  rules: [
                    {
                      conditions: [
                        {
                          fn: 'booleanEquals',
                          argv: [
                            true,
                            {
                              fn: 'getAttr',
                              argv: [
                                {
                                  ref: 'PartitionResult',
                                },
                                'supportsFIPS',
                              ],
                            },
                          ],
                        },
                        {
                          fn: 'booleanEquals',
                          argv: [
                            true,
                            {
                              fn: 'getAttr',
                              argv: [
                                {
                                  ref: 'PartitionResult',
                                },
                                'supportsDualStack',
                              ],
                            },
                          ],
                        },
                      ],
                      rules: [
                        {
                          conditions: [],
                          rules: [
                            {
                              conditions: [],
                              endpoint: {
                                url: 'https://appfabric-fips.{Region}.{PartitionResult#dualStackDnsSuffix}',
                                properties: {},
                                headers: {},
                              },
                              type: 'endpoint',
                            },
                          ],
                          type: 'tree',
                        },
                      ],
                      type: 'tree',
                    },
                    {
                      conditions: [],
                      error:
                        'FIPS and DualStack are enabled, but this partition does not support one or both',
                      type: 'error',
                    },
                  ],
                  type: 'tree',
                },
                {
                  conditions: [
                    {
                      fn: 'booleanEquals',
                      argv: [
                        {
                          ref: 'UseFIPS',
                        },
                        true,
                      ],
                    },
                  ],
                  rules: [
                    {
                      conditions: [
                        {
                          fn: 'booleanEquals',
                          argv: [
                            {
                              fn: 'getAttr',
                              argv: [
                                {
                                  ref: 'PartitionResult',
                                },
                                'supportsFIPS',
                              ],
                            },
                            true,
                          ],
                        },
                      ],
                      rules: [
                        {
                          conditions: [],
                          rules: [
                            {
                              conditions: [],
                              endpoint: {
                                url: 'https://appfabric-fips.{Region}.{PartitionResult#dnsSuffix}',
                                properties: {},
                                headers: {},
                              },
                              type: 'endpoint',
                            },
                          ],
                          type: 'tree',
                        },
                      ],
                      type: 'tree',
                    },
                    {
                      conditions: [],
                      error: 'FIPS is enabled but this partition does not support FIPS',
                      type: 'error',
                    },
                  ],
                  type: 'tree',
                },
                {
                  conditions: [
                    {
                      fn: 'booleanEquals',
                      argv: [
                        {
                          ref: 'UseDualStack',
                        },
                        true,
                      ],
                    },
                  ],
                  rules: [
                    {
                      conditions: [
                        {
                          fn: 'booleanEquals',
                          argv: [
                            true,
                            {
                              fn: 'getAttr',
                              argv: [
                                {
                                  ref: 'PartitionResult',
                                },
                                'supportsDualStack',
                              ],
                            },
                          ],
                        },
                      ],
                      rules: [
                        {
                          conditions: [],
                          rules: [
                            {
                              conditions: [],
                              endpoint: {
                                url: 'https://appfabric.{Region}.{PartitionResult#dualStackDnsSuffix}',
                                properties: {},
                                headers: {},
                              },
                              type: 'endpoint',
                            },
                          ],
                          type: 'tree',
                        },
                      ],
                      type: 'tree',
                    },
                    {
                      conditions: [],
                      error: 'DualStack is enabled but this partition does not support DualStack',
                      type: 'error',
                    },
                  ],
                  type: 'tree',
                },
                {
                  conditions: [],
                  rules: [
                    {
                      conditions: [],
                      endpoint: {
                        url: 'https://appfabric.{Region}.{PartitionResult#dnsSuffix}',
                        properties: {},
                        headers: {},
                      },
                      type: 'endpoint',
                    },
                  ],
                  type: 'tree',
                },
              ],
              type: 'tree',
            },
          ],
          type: 'tree',
        },
        {
          conditions: [],
          error: 'Invalid Configuration: Missing Region',
          type: 'error',
        },
      ],
      type: 'tree',
    },
  ],
};
