#!/usr/bin/env node
import { runDemo } from './demo.js';
import { runSimulatorCli } from '../simulator/standalone.js';

const USAGE = `Usage: oceanconnect-north-sdk <command> [options]

Commands:
  demo        run the demo (embedded simulator by default; --help for options)
  simulator   run the platform simulator on its own (--help for options)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      return runDemo(rest);
    case 'simulator':
      return runSimulatorCli(rest);
    case undefined:
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
