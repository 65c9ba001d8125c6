/**
 * Scenario presets for the local run: how the AppFabric stand-in's tasks behave and which faults it
 * injects. Seeded, so the same seed gives the same run.
 */
import type { AppFabricStandIn, BundleApp, TaskBehaviour } from './appfabric-standin';
import { seededRandom } from './random';
import { reviewBehaviour } from './review-script';

export { seededRandom };

export const SCENARIOS = [
  'all-complete',
  'mixed',
  'throttled',
  'server-errors',
  'missing',
  'fatal',
  'timeout',
  'access-review',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const DEMO_BUNDLE_ARN =
  'arn:aws:appfabric:us-east-1:123456789012:appbundle/a1b2c3d4-0000-4000-8000-0000000000aa';
export const DEMO_APPS: BundleApp[] = [
  { app: 'Slack', tenantId: 'T0EXAMPLE', tenantDisplayName: 'Example Corp Slack' },
  { app: 'Okta', tenantId: 'example.okta.com', tenantDisplayName: 'Example Corp Okta' },
  { app: 'Zoom', tenantId: 'ZM-0001', tenantDisplayName: 'Example Corp Zoom' },
];

const PEOPLE = ['ana', 'bo', 'chen', 'dara', 'eli', 'fatima', 'gus', 'hiro', 'ines', 'jonas'];

/** What one task does under a scenario. */
function behaviourFor(scenario: Scenario, random: () => number): TaskBehaviour {
  const polls = Math.floor(random() * 5);
  const roll = random();
  switch (scenario) {
    case 'mixed':
      if (roll < 0.12) return { outcome: 'FAILED', inProgressPolls: polls };
      if (roll < 0.22) return { outcome: 'EXPIRED', inProgressPolls: polls };
      if (roll < 0.27) return { missing: true };
      return { outcome: 'COMPLETED', inProgressPolls: polls };
    case 'missing':
      if (roll < 0.1) return { missing: true };
      if (roll < 0.35) return { missing: 2, outcome: 'COMPLETED' };
      return { outcome: 'COMPLETED', inProgressPolls: polls };
    case 'timeout':
      // A third never finish: the deadline records them as TIMED_OUT.
      if (roll < 0.33) return { outcome: 'COMPLETED', inProgressPolls: 1_000_000 };
      return { outcome: 'COMPLETED', inProgressPolls: polls };
    default:
      return { outcome: 'COMPLETED', inProgressPolls: polls };
  }
}

/** Settings (CDK context) a scenario needs: the definition is rendered with them. */
export function scenarioContext(scenario: Scenario): Record<string, unknown> {
  return scenario === 'timeout' ? { deadlineMinutes: 30 } : {};
}

/** Faults the stand-in injects under a scenario. */
export function injectFaults(standIn: AppFabricStandIn, scenario: Scenario): void {
  if (scenario === 'throttled') standIn.setFaults({ throttleEvery: 2, throttleRetryAfterSeconds: 1 });
  if (scenario === 'server-errors') standIn.setFaults({ serverErrorNext: 4 });
  if (scenario === 'fatal') standIn.setFaults({ accessDenied: true });
}

/**
 * What StartUserAccessTasks gives each (address, app) of an emails run: the `access-review` cell script,
 * or the scenario's behaviour.
 */
export function startScriptFor(scenario: Scenario, random: () => number, seed: number) {
  return (email: string, app: BundleApp): TaskBehaviour =>
    scenario === 'access-review' ? reviewBehaviour(email, app.app, seed) : behaviourFor(scenario, random);
}

/** Adds `count` tasks (or the given IDs) to the bundle; returns their IDs. */
export function addTasks(
  standIn: AppFabricStandIn,
  bundle: string,
  scenario: Scenario,
  random: () => number,
  options: { count?: number; taskIds?: readonly string[]; seed?: number },
): string[] {
  const ids = options.taskIds ?? Array.from({ length: options.count ?? 0 }, () => undefined);
  return ids.map((taskId, i) => {
    const app = DEMO_APPS[i % DEMO_APPS.length];
    const person = PEOPLE[Math.floor(i / DEMO_APPS.length) % PEOPLE.length];
    const email = `${person}${Math.floor(i / (DEMO_APPS.length * PEOPLE.length)) || ''}@example.com`;
    return standIn.addTask(bundle, {
      ...(taskId ? { taskId } : {}),
      app: app.app,
      tenantId: app.tenantId,
      tenantDisplayName: app.tenantDisplayName,
      email,
      ...(scenario === 'access-review'
        ? reviewBehaviour(email, app.app, options.seed ?? 1)
        : behaviourFor(scenario, random)),
    });
  });
}
