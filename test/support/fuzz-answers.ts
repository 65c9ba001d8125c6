/** fast-check generators of AppFabric BatchGetUserAccessTasks answers (for the fuzz suites). */
import fc from 'fast-check';

/** Any JSON value, shallow. */
export const json = fc.jsonValue({ maxDepth: 3 });
/** A value of the wrong type for a string or a list field. */
export const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);

/** The string fields of a result item, as the model types them. */
export const RESULT_STRINGS = [
  'app',
  'tenantId',
  'tenantDisplayName',
  'taskId',
  'resultStatus',
  'email',
  'userId',
  'userFullName',
  'userFirstName',
  'userLastName',
  'userStatus',
] as const;

const statusValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('IN_PROGRESS', 'COMPLETED', 'FAILED', 'EXPIRED') },
  { weight: 1, arbitrary: fc.constantFrom('completed', 'NOT_FOUND', 'TIMED_OUT', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: wrongType },
);
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 1, arbitrary: wrongType },
);
const taskError = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      { errorCode: fc.string({ maxLength: 12 }), errorMessage: fc.string({ maxLength: 30 }) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: wrongType },
);
/** A result item: fields of the right type mostly, of a wrong one sometimes, `taskId` from `ids` often. */
export const resultItem = (ids: readonly string[]) =>
  fc.record(
    {
      taskId: fc.oneof(
        {
          weight: 6,
          arbitrary: ids.length
            ? fc.constantFrom(...ids).chain((id) => fc.constantFrom(id, id.toUpperCase()))
            : fc.uuid(),
        },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: text },
      ),
      resultStatus: statusValue,
      app: text,
      tenantId: text,
      tenantDisplayName: text,
      email: text,
      userId: text,
      userFullName: text,
      userFirstName: text,
      userLastName: text,
      userStatus: text,
      taskError,
    },
    { requiredKeys: [] },
  );
export const answerBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ userAccessResultsList: fc.array(resultItem([]), { maxLength: 4 }) })
      .map((b) => JSON.stringify(b)),
  },
  {
    weight: 1,
    arbitrary: fc.record({ userAccessResultsList: json }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  },
  { weight: 2, arbitrary: json.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
