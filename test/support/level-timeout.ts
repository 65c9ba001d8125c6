// Jest's testTimeout is global, not per project: each level sets its own from the suite's folder.
const TIMEOUTS: Record<string, number> = { unit: 30_000, integration: 30_000, e2e: 60_000, deploy: 900_000 };
const level = /test[\\/](\w+)[\\/]/.exec(expect.getState().testPath ?? '')?.[1] ?? '';
jest.setTimeout(TIMEOUTS[level] ?? 30_000);
