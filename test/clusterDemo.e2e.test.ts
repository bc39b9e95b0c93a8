// `npm run cluster-demo`: a nats-server and three nodes on loopback (see natsCascade.e2e.test.ts for the cluster).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasNatsServer } from '../scripts/natsCluster.js';

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
