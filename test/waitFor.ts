// The one way a test waits on something real (a process, a socket, a server): poll a condition until it holds, for at
// most `timeout` ms, then fail saying what was awaited. Never a fixed sleep: a test that waits a fixed time either
// waits too long on a fast machine or too little on a loaded one.
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface WaitForOptions {
  /** The longest wait in ms: a bound on a stuck test, never a pace (a loaded machine may take most of it). */
  readonly timeout: number;
  /**
   * What is awaited, as the failure message says it ("rtp-demo to print its address"); a function is called on
   * failure, to say what was missing then.
   */
  readonly what: string | (() => string);
  /** Time between two checks in ms; default 10. */
  readonly every?: number;
}

/** Thrown when a condition did not hold in time. */
export class WaitForTimeout extends Error {
  override readonly name = 'WaitForTimeout';
}

/**
 * Resolves with the condition's first truthy value; rejects with a {@link WaitForTimeout} naming `what` (and the last
 * error the condition threw, if any) once `timeout` ms have passed without one. Leaves no timer behind.
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | 0 | '' | Promise<T | undefined | null | false | 0 | ''>,
  options: WaitForOptions,
): Promise<T> {
  const { timeout, what, every = 10 } = options;
  const deadline = performance.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      const cause = lastError === undefined ? '' : ` (last check threw: ${inspect(lastError)})`;
      const awaited = typeof what === 'function' ? what() : what;
      throw new WaitForTimeout(`timed out after ${timeout} ms waiting for ${awaited}${cause}`);
    }
    await sleep(Math.min(every, left));
  }
}
