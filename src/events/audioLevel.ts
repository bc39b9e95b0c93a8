import { SILENCE } from './levels.js';

/**
 * The RFC 6464 audio level of a block of PCM (one packet's worth), in dBov: 0 is the loudest, -127 silence.
 *
 * As RFC 6464 section 3 defines it, the level is the root mean square of the samples relative to the overload point
 * of the format (full scale), rounded to a whole dB: a full-scale square wave is 0 dBov, a full-scale sine -3 dBov,
 * digital silence -127. Samples are floats in -1..1 or 16-bit integers.
 *
 * @group Events
 */
export function audioLevel(samples: Float32Array | Float64Array | Int16Array): number {
  const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
  let sumOfSquares = 0;
  for (const sample of samples) {
    const x = sample * scale;
    sumOfSquares += x * x;
  }
  if (samples.length === 0 || sumOfSquares === 0) return SILENCE;
  const dbov = Math.round(10 * Math.log10(sumOfSquares / samples.length));
  if (dbov >= 0) return 0; // also turns -0 into 0
  return dbov < SILENCE ? SILENCE : dbov;
}
