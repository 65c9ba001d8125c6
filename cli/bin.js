#!/usr/bin/env node
// Launcher of `npx appfabric-access-poller <query|report> [options]` ("bin" in package.json). The CLIs are
// TypeScript run through tsx, a devDependency: this works in a checkout after `npm ci`.

const COMMANDS = { query: './query.ts', report: './report.ts' };
const USAGE = `Usage: npx appfabric-access-poller <command> [options]

Commands:
  query     read the results table (npx appfabric-access-poller query --help)
  report    access matrix of a run, or what changed between runs (… report --help)
`;

const [command, ...args] = process.argv.slice(2);
if (command === undefined || command === '-h' || command === '--help') {
  process.stdout.write(USAGE);
  process.exitCode = command === undefined ? 2 : 0;
} else if (!Object.hasOwn(COMMANDS, command)) {
  process.stderr.write(
    `error: unknown command ${JSON.stringify(command)}: one of ${Object.keys(COMMANDS).join(', ')}\n`,
  );
  process.exitCode = 2;
} else {
  try {
    require('tsx/cjs');
  } catch {
    process.stderr.write('error: tsx is missing: run npm ci in the checkout, then try again\n');
    process.exit(1);
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  require(COMMANDS[command]).runFromCommandLine(args);
}
