// `npm run demo -- [options] [a.wav b.wav ...]`: see demo/cli.ts.
import { runDemo } from './cli.js';

const code = await runDemo(process.argv.slice(2), {
  log: (line) => {
    console.log(line);
  },
  error: (line) => {
    console.error(line);
  },
  interactive: process.stdout.isTTY,
});
process.exitCode = code;
