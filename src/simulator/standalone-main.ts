import { runSimulatorCli } from './standalone.js';
process.exitCode = await runSimulatorCli(process.argv.slice(2));
