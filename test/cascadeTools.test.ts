// The cascade's simulation: an in-memory bus, the cascade's own code. `npm run cluster-demo` is run by
// clusterDemo.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { simulate } from '../scripts/cascadeSimulation.js';

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
