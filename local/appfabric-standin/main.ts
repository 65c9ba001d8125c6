/**
 * Standalone stand-in: `npx tsx local/appfabric-standin/main.ts [--port 4567] [--host 127.0.0.1]` adds a
 * demo bundle and prints the URL. A port in use (or any start failure) ends in one line, exit 1.
 */
import { parseArgs } from 'node:util';
import { startAppFabricStandIn } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
  const standIn = await startAppFabricStandIn({ port: Number(values.port ?? 0), host: values.host });
  const demo = standIn.addBundle(
    'arn:aws:appfabric:us-east-1:123456789012:appbundle/11111111-2222-4333-8444-555555555555',
    [
      { app: 'SLACK', tenantId: 'T0DEMO', tenantDisplayName: 'Demo workspace' },
      { app: 'OKTA', tenantId: 'demo.okta.com', tenantDisplayName: 'Demo Okta' },
    ],
  );
  standIn.setStartScript(demo.arn, { inProgressPolls: 1, outcome: 'COMPLETED' });
  console.log(`AppFabric stand-in listening on ${standIn.url}`);
  console.log(`demo bundle: ${demo.arn}`);
  const stop = () => void standIn.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: NodeJS.ErrnoException) => {
  const what = error.code === 'EADDRINUSE' ? 'the port is in use' : (error.code ?? error.message);
  process.stderr.write(`error: the AppFabric stand-in cannot start: ${what}\n`);
  process.exitCode = 1;
});
