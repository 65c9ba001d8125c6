/** @type {import('jest').Config} */
// One Jest project per test level; `npm test` runs them all, `npx jest --selectProjects unit` one.
// Timeouts per level: test/support/level-timeout.ts.
const level = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/level-timeout.ts'],
});

module.exports = {
  projects: [
    // Use cases against in-memory ports, settings, inputs, synthesized templates: no servers.
    level('unit'),
    // The AppFabric client and stand-in over HTTP, the DynamoDB adapters on dynalite.
    level('integration'),
    // The rendered state machine, the bundle and the CLIs, each with its own stand-ins.
    level('e2e'),
    // The real cdk deploy to moto (local/emulator) and the deployed stack run there; skipped, saying why,
    // where python3 lacks moto.
    level('deploy'),
  ],
  // CDK synth and bundling are CPU-heavy; two workers match the machine.
  maxWorkers: 2,
};
