/**
 * The counter RNG of src/training/rng.ts as Python source, for the exported script: the same
 * integer hash on 32-bit words (masking where JavaScript wraps), the same 24-bit uniforms and the
 * same Box-Muller normals, so init and data come out as ours. Text only; tests run it.
 */

export const PY_RNG = String.raw`
# ---------------------------------------------------------------------------------------------
# Counter RNG (src/training/rng.ts): every number is a pure function of (key, stream, counter).
# JavaScript works on 32-bit words with wrap-around; here every product is masked to 32 bits.
# ---------------------------------------------------------------------------------------------
MASK32 = 0xFFFFFFFF
STREAM_INIT = 1
STREAM_DATA = 2


def rng_mix(v):
    """lowbias32: a 32-bit integer hash, two multiply-xorshift rounds."""
    x = v & MASK32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK32
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK32
    x ^= x >> 16
    return x


def rng_u32(key, stream, counter):
    return rng_mix(key ^ rng_mix(stream ^ rng_mix(counter ^ 0x9E3779B9)))


def rng_uniform(key, stream, counter):
    """Uniform in [0, 1) with 24 random bits (exact in float32)."""
    return (rng_u32(key, stream, counter) >> 8) / 16777216


def rng_normal(key, stream, counter):
    """Standard normal by Box-Muller from counters 2 * counter and 2 * counter + 1 (cosine branch)."""
    u1 = 1 - rng_uniform(key, stream, 2 * counter)  # (0, 1]: the log is finite
    u2 = rng_uniform(key, stream, 2 * counter + 1)
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def derive_key(key, index):
    """A sub-key, e.g. one per run, per sequence or per parameter tensor."""
    return rng_mix(key ^ rng_mix(index + 0x6A09E667))


class RngStream:
    """Draws counters 0, 1, 2, ... of one (key, stream) in order."""

    def __init__(self, key, stream):
        self.key = key
        self.stream = stream
        self.counter = 0

    def uniform(self):
        u = rng_uniform(self.key, self.stream, self.counter)
        self.counter += 1
        return u
`;
