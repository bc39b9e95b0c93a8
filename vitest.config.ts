import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// Two projects, told apart by file name:
// - `unit`: everything in test/ named `*.test.ts` (marble, property, README, types): in process, no child process,
//   no socket, no real-time wait; `npm run test:unit`, under 30 s.
// - `e2e`: files named `*.e2e.test.ts`: anything that spawns a process (nats-server, GStreamer, a browser, an npm
//   script) or opens a socket (UDP, TCP, WebRTC), or runs a script's whole measurement over every recording (`npm
//   run quality`, seconds of CPU); `npm run test:e2e`.
// A new test that does any of these is named `something.e2e.test.ts`; nothing else needs to change. `npm test` runs
// both: first `unit`, then `e2e` one file at a time, so that a test of real-time media (GStreamer senders, browsers)
// never shares the machine's cores with property tests or with another real-time test.
const e2e = 'test/**/*.e2e.test.ts';

export default defineConfig({
  resolve: {
    // Tests import the package by its public name, as a user would.
    alias: [
      { find: /^rx-audio-mixer\/nats$/, replacement: fileURLToPath(new URL('./nats.ts', import.meta.url)) },
      { find: /^rx-audio-mixer\/werift$/, replacement: fileURLToPath(new URL('./werift.ts', import.meta.url)) },
      { find: /^rx-audio-mixer\/rtp$/, replacement: fileURLToPath(new URL('./rtp.ts', import.meta.url)) },
      { find: /^rx-audio-mixer$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) },
    ],
  },
  test: {
    // A bound on a stuck test, not a pace: on a machine shared with other jobs, a test of 5 s idle took 3 minutes.
    testTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, e2e],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: [e2e], sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
