// A room that shrinks gives its memory back (issue 19, item 2): a crowd joins, then all of it leaves (half removed,
// half timed out), and the JS heap plus the array buffers return to within 2 MB of where they started. Measured by
// bench/soak.ts in a Node process of its own, with --expose-gc so that a full collection runs before each reading.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SoakMemory } from '../bench/soak.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const MB = 1024 * 1024;

/** The soak of `scenarios` with `sources` sources each, in a child process. */
async function soak(sources: number, scenarios: readonly string[]): Promise<SoakMemory[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/soak.ts', String(sources), ...scenarios],
    { cwd: root, maxBuffer: 1 << 20 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SoakMemory);
}

function expectGivenBack(results: readonly SoakMemory[], scenarios: readonly string[], crowd: number): void {
  expect(results.map((r) => r.scenario)).toEqual(scenarios);
  for (const r of results) {
    // The crowd is there at the peak (so the reading sees it), and gone after it left.
    expect(r.peak - r.before, r.scenario).toBeGreaterThan(crowd);
    expect(Math.abs(r.after - r.before), `${r.scenario}: ${((r.after - r.before) / MB).toFixed(2)} MB kept`).toBeLessThan(
      2 * MB,
    );
  }
}

describe('memory after a crowd leaves', () => {
  it('audioMixer (SSRC and string ids), the staged pipeline and mixRoom: 200 000 sources, within 2 MB of the start', async () => {
    const scenarios = ['audioMixer, SSRC ids', 'audioMixer, string ids', 'staged pipeline', 'mixRoom'];
    expectGivenBack(await soak(200_000, scenarios), scenarios, 10 * MB);
  }, 180_000);

  it('every other timed stage (normaliseLevels, speechMixer, audioLevels, dominantSpeaker): 50 000 sources', async () => {
    const scenarios = ['normaliseLevels', 'speechMixer', 'audioLevels', 'dominantSpeaker'];
    expectGivenBack(await soak(50_000, scenarios), scenarios, 2 * MB);
  }, 180_000);
});
