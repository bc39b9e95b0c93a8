/**
 * `npm run rtp-demo -- [--port 5004] [--outputs 3] [--extension-id 1] [--listener 127.0.0.1:6000] [--mixer speech|audio]`
 *
 * Listens for RTP on 127.0.0.1:<port>, mixes, and sends output k to the listener's port + 2k. Prints what it does
 * every second; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startRtpMixerServer } from './rtpServer.js';

function fail(message: string): never {
  console.error(`rtp-demo: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5004' },
    outputs: { type: 'string', default: '3' },
    'extension-id': { type: 'string', default: '1' },
    listener: { type: 'string', default: '127.0.0.1:6000' },
    mixer: { type: 'string', default: 'speech' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run rtp-demo -- [--port 5004] [--outputs 3] [--extension-id 1] [--listener 127.0.0.1:6000] [--mixer speech|audio]',
  );
  process.exit(0);
}
const port = Number(values.port);
const outputs = Number(values.outputs);
const extensionId = Number(values['extension-id']);
const [listenerHost = '', listenerPortText = ''] = values.listener.split(':');
const listenerPort = Number(listenerPortText);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a UDP port, got ${values.port}`);
if (!Number.isInteger(outputs) || outputs < 1) fail(`--outputs must be an integer >= 1, got ${values.outputs}`);
const mixer = values.mixer;
if (mixer !== 'speech' && mixer !== 'audio') fail(`--mixer must be speech or audio, got ${mixer}`);
if (!Number.isInteger(listenerPort) || listenerPort < 1 || listenerPort + 2 * (outputs - 1) > 65535)
  fail(`--listener must be host:port, got ${values.listener}`);

const server = await startRtpMixerServer({
  port,
  extensionId,
  mixer,
  targets: Array.from({ length: outputs }, (_, k) => ({ host: listenerHost, port: listenerPort + 2 * k })),
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));

console.log(
  `mixing RTP from ${server.address.host}:${server.address.port} into ${outputs} outputs -> ${listenerHost}:${listenerPort}+2k`,
);
const report = setInterval(() => {
  const { received, invalid, sent, switches, longestGapMs } = server.stats;
  console.log(
    `received ${received} (${invalid} invalid), longest gap ${Math.round(longestGapMs)} ms, sent per output [${sent.join(', ')}], pins per output [${switches.join(', ')}]`,
  );
}, 1000);
// Ctrl-C reaches the demo more than once (the terminal signals the whole process group, and npm and tsx pass it on):
// the first stops it, the others are absorbed rather than ending the process before it has closed.
let stopping = false;
process.on('SIGINT', () => {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  void server.close().then(() => {
    console.log('closed');
    process.exit(0);
  });
});
