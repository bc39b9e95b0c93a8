/**
 * `npm run sfu -- [--port 8080] [--host 127.0.0.1] [--outputs 3] [--dtx] [--timeout 1000] [--mixer speech|audio]`
 *
 * Serves the browser room and prints its address: open it in two or more tabs or browsers, give each a name and
 * join. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startSfu } from './server.js';

const USAGE =
  'usage: npm run sfu -- [--port 8080] [--host 127.0.0.1] [--outputs 3] [--dtx] [--timeout 1000] [--mixer speech|audio]';

function fail(message: string): never {
  console.error(`sfu: ${message}\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, text: string, least: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) fail(`--${name} must be an integer >= ${least}, got ${text}`);
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      outputs: { type: 'string', default: '3' },
      timeout: { type: 'string' },
      dtx: { type: 'boolean', default: false },
      mixer: { type: 'string', default: 'speech' },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const mixer = values.mixer;
if (mixer !== 'speech' && mixer !== 'audio') fail(`--mixer must be speech or audio, got ${mixer}`);

const sfu = await startSfu({
  host: values.host,
  port: integer('port', values.port, 0),
  outputs: integer('outputs', values.outputs, 1),
  dtx: values.dtx,
  mixer,
  ...(values.timeout === undefined ? {} : { timeout: integer('timeout', values.timeout, 1) }),
  onInvalid: (report) => {
    console.warn(`invalid: ${report.reason}: ${report.message}`);
  },
});
sfu.events.subscribe((event) => {
  if (event.type === 'joined') console.log(`${event.name} joined`);
  else if (event.type === 'left') console.log(`${event.name} left (${event.reason ?? ''})`);
  else if (event.type === 'output-pin')
    console.log(`${event.listener} hears ${event.source} on output ${event.output}`);
});
console.log(`the browser room: ${sfu.url} (open it in two or more tabs; Ctrl-C stops)`);

// Ctrl-C reaches the server more than once (the terminal signals the whole process group, and npm and tsx pass it on):
// the first stops it, the others are absorbed rather than ending the process before it has closed.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sfu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
