// The cascade's simulation (in-memory bus, the cascade's own code) and npm run cluster-demo.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate } from '../scripts/cascadeSimulation.js';
import { hasNatsServer } from '../scripts/natsCluster.js';

describe('the cascade simulation', () => {
  it('each node publishes about outputs x 50 messages a second whatever its sources, and every node hears the speech', () => {
    for (const [nodes, sources] of [
      [5, 40],
      [10, 100],
    ] as const) {
      const r = simulate(nodes, sources, 2);
      expect(r.publishedPerNode).toBeGreaterThan(3 * 50 * 0.9);
      expect(r.publishedPerNode).toBeLessThan(3 * 50 * 1.2);
      expect(r.receivedPerNode).toBeCloseTo((nodes - 1) * r.publishedPerNode, -1);
      expect(r.heardWorst).toBeGreaterThanOrEqual(0.99);
    }
  }, 60_000);
});

describe.skipIf(!hasNatsServer && process.env.CI === undefined)('npm run cluster-demo', () => {
  it('starts a nats-server and three nodes, and prints who each node heard', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = spawnSync('npm', ['run', 'cluster-demo', '--', '--speed', '8'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => line.startsWith('node '));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/alice \d+ packets.*bob \d+ packets.*carol \d+ packets/);
  }, 60_000);
});
