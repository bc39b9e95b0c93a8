import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import the package by its public name, as a user would.
    alias: [
      { find: /^rx-audio-mixer\/nats$/, replacement: fileURLToPath(new URL('./nats.ts', import.meta.url)) },
      { find: /^rx-audio-mixer\/rtp$/, replacement: fileURLToPath(new URL('./rtp.ts', import.meta.url)) },
      { find: /^rx-audio-mixer$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) },
    ],
  },
  test: {
    // A bound on a stuck test, not a pace: a property test of 2 s idle takes several times that on a loaded machine.
    testTimeout: 60_000,
    include: ['test/**/*.test.ts'],
  },
});
