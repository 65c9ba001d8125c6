// Schemas of the two user-access operations and their errors, in the static form of `@smithy/core/schema`
// (as generated for `@aws-sdk/client-appfabric`). Required members come first; the trailing number counts them.
import { TypeRegistry } from '@smithy/core/schema';
import type {
  StaticErrorSchema,
  StaticListSchema,
  StaticOperationSchema,
  StaticSimpleSchema,
  StaticStructureSchema,
} from '@smithy/types';
import { AppFabricServiceException } from '../models/AppFabricServiceException';
import {
  AccessDeniedException,
  InternalServerException,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
} from '../models/errors';

const n0 = 'com.amazonaws.appfabric';
const _s = 'smithy.ts.sdk.synthetic.com.amazonaws.appfabric';
const _e = 'error';
const _hE = 'httpError';
const _hH = 'httpHeader';
const _h = 'http';
const _RA = 'Retry-After';
const _m = 'message';
const _c = 'client';
const _se = 'server';
const _aBI = 'appBundleIdentifier';
const _a = 'app';
const _tI = 'tenantId';
const _tIa = 'taskId';

/** Sensitive strings (trait bit 8): the SDK logger redacts them. */
const Email: StaticSimpleSchema = [0, n0, 'Email', 8, 0];
const SensitiveString2048: StaticSimpleSchema = [0, n0, 'SensitiveString2048', 8, 0];

const _s_registry = new TypeRegistry(_s);
export const AppFabricServiceException$: StaticErrorSchema = [-3, _s, 'AppFabricServiceException', 0, [], []];
_s_registry.registerError(AppFabricServiceException$, AppFabricServiceException);

const n0_registry = new TypeRegistry(n0);
export const AccessDeniedException$: StaticErrorSchema = [
  -3,
  n0,
  'AccessDeniedException',
  { [_e]: _c, [_hE]: 403 },
  [_m],
  [0],
  1,
];
n0_registry.registerError(AccessDeniedException$, AccessDeniedException);
export const InternalServerException$: StaticErrorSchema = [
  -3,
  n0,
  'InternalServerException',
  { [_e]: _se, [_hE]: 500 },
  [_m, 'retryAfterSeconds'],
  [0, [1, { [_hH]: _RA }]],
  1,
];
n0_registry.registerError(InternalServerException$, InternalServerException);
export const ResourceNotFoundException$: StaticErrorSchema = [
  -3,
  n0,
  'ResourceNotFoundException',
  { [_e]: _c, [_hE]: 404 },
  [_m, 'resourceId', 'resourceType'],
  [0, 0, 0],
  3,
];
n0_registry.registerError(ResourceNotFoundException$, ResourceNotFoundException);
export const ThrottlingException$: StaticErrorSchema = [
  -3,
  n0,
  'ThrottlingException',
  { [_e]: _c, [_hE]: 429 },
  [_m, 'serviceCode', 'quotaCode', 'retryAfterSeconds'],
  [0, 0, 0, [1, { [_hH]: _RA }]],
  1,
];
n0_registry.registerError(ThrottlingException$, ThrottlingException);
export const ValidationException$: StaticErrorSchema = [
  -3,
  n0,
  'ValidationException',
  { [_e]: _c, [_hE]: 400 },
  [_m, 'reason', 'fieldList'],
  [0, 0, () => ValidationExceptionFieldList],
  2,
];
n0_registry.registerError(ValidationException$, ValidationException);

/** Handed to the protocol: error codes resolve against these (unknown codes fall back to the base exception). */
export const errorTypeRegistries = [_s_registry, n0_registry];

export const ValidationExceptionField$: StaticStructureSchema = [
  3,
  n0,
  'ValidationExceptionField',
  0,
  ['name', _m],
  [0, 0],
  2,
];
const ValidationExceptionFieldList: StaticListSchema = [
  1,
  n0,
  'ValidationExceptionFieldList',
  0,
  () => ValidationExceptionField$,
];

export const TaskError$: StaticStructureSchema = [
  3,
  n0,
  'TaskError',
  0,
  ['errorCode', 'errorMessage'],
  [0, 0],
];

export const BatchGetUserAccessTasksRequest$: StaticStructureSchema = [
  3,
  n0,
  'BatchGetUserAccessTasksRequest',
  0,
  [_aBI, 'taskIdList'],
  [0, 64 | 0],
  2,
];
export const UserAccessResultItem$: StaticStructureSchema = [
  3,
  n0,
  'UserAccessResultItem',
  0,
  [
    _a,
    _tI,
    'tenantDisplayName',
    _tIa,
    'resultStatus',
    'email',
    'userId',
    'userFullName',
    'userFirstName',
    'userLastName',
    'userStatus',
    'taskError',
  ],
  [
    0,
    0,
    0,
    0,
    0,
    [() => Email, 0],
    [() => SensitiveString2048, 0],
    [() => SensitiveString2048, 0],
    [() => SensitiveString2048, 0],
    [() => SensitiveString2048, 0],
    0,
    () => TaskError$,
  ],
];
const UserAccessResultsList: StaticListSchema = [
  1,
  n0,
  'UserAccessResultsList',
  0,
  [() => UserAccessResultItem$, 0],
];
export const BatchGetUserAccessTasksResponse$: StaticStructureSchema = [
  3,
  n0,
  'BatchGetUserAccessTasksResponse',
  0,
  ['userAccessResultsList'],
  [[() => UserAccessResultsList, 0]],
];

export const StartUserAccessTasksRequest$: StaticStructureSchema = [
  3,
  n0,
  'StartUserAccessTasksRequest',
  0,
  [_aBI, 'email'],
  [0, [() => Email, 0]],
  2,
];
export const UserAccessTaskItem$: StaticStructureSchema = [
  3,
  n0,
  'UserAccessTaskItem',
  0,
  [_a, _tI, _tIa, _e],
  [0, 0, 0, () => TaskError$],
  2,
];
const UserAccessTasksList: StaticListSchema = [1, n0, 'UserAccessTasksList', 0, () => UserAccessTaskItem$];
export const StartUserAccessTasksResponse$: StaticStructureSchema = [
  3,
  n0,
  'StartUserAccessTasksResponse',
  0,
  ['userAccessTasksList'],
  [() => UserAccessTasksList],
];

export const BatchGetUserAccessTasks$: StaticOperationSchema = [
  9,
  n0,
  'BatchGetUserAccessTasks',
  { [_h]: ['POST', '/useraccess/batchget', 200] },
  () => BatchGetUserAccessTasksRequest$,
  () => BatchGetUserAccessTasksResponse$,
];
export const StartUserAccessTasks$: StaticOperationSchema = [
  9,
  n0,
  'StartUserAccessTasks',
  { [_h]: ['POST', '/useraccess/start', 201] },
  () => StartUserAccessTasksRequest$,
  () => StartUserAccessTasksResponse$,
];
