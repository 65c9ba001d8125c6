/**
 * A local stand-in for AWS AppFabric's user-access API: an HTTP server on 127.0.0.1 that speaks restJson1
 * as the service model describes it (`/work/shared/api-model/appfabric-2023-05-19.service-2.json`).
 *
 * - `POST /useraccess/batchget` → 200 `{ userAccessResultsList }`
 * - `POST /useraccess/start`    → 201 `{ userAccessTasksList }`
 * - errors: status, `x-amzn-errortype: <Code>:http://internal.amazon.com/coral/com.amazonaws.appfabric/`,
 *   JSON body `{ message, ...members }`, `Retry-After` on 429 (and on 500 when configured). A malformed
 *   `appBundleIdentifier` gets 400 ValidationException (fieldList names it), an unknown one 404
 *   ResourceNotFoundException, as the service answers.
 *
 * Calls need a SigV4 `Authorization` header whose credential scope names the service `appfabric`
 * (structure only; the signature is not verified), else 403 AccessDeniedException.
 *
 * Scripting: bundles (`addBundle`), tasks with their outcome (`addTask`), what StartUserAccessTasks creates
 * (`setStartScript`, `rejectEmail`), faults (`setFaults`). Every call is recorded in `calls`.
 * Deterministic: generated IDs come from a seeded generator (`seed` option).
 *
 * Files: `server.ts` routing and HTTP, `protocol.ts` wire shapes, `sigv4.ts` the header check,
 * `faults.ts` injected faults, `tasks.ts` task scripts and answers, `operations.ts` the two operations,
 * `call-log.ts` the call record, `main.ts` standalone (`npx tsx local/appfabric-standin/main.ts --port 4567`).
 */
export { startAppFabricStandIn } from './server';
export { finalAnswer } from './tasks';
export type * from './types';
