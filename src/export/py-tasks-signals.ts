/**
 * Python source of the generated tasks on real-valued signals (sine, adding, classify), each ported
 * from its file in src/data/tasks with the same arithmetic in the same order, so every float comes
 * out as ours. Each section defines `make_task(options)`; the script holds one of them. Text only.
 */
import type { PySection } from './py-task-helpers';

const SINE = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: noisy sines (src/data/tasks/sine.ts). Row b of an episode is a sum of 'sines' sine waves
# plus Gaussian noise; the input is the sample at t, the target the sample 'horizon' steps later.
# ---------------------------------------------------------------------------------------------
SINE_NOISE = 1  # sub-key of a sequence's noise


class SineTask:
    input_size = 1
    output_size = 1
    loss = "mse"

    def __init__(self, options):
        self.options = options

    def sample(self, episode, row, t, split):
        o = self.options
        key = sequence_key(o["seed"], split, episode, row)
        s = 0
        for j in range(o["sines"]):
            w = o["minFrequency"] + (o["maxFrequency"] - o["minFrequency"]) * rng_uniform(key, STREAM_DATA, 2 * j)
            phi = 2 * math.pi * rng_uniform(key, STREAM_DATA, 2 * j + 1)
            s += math.sin(w * t + phi)
        return s / o["sines"] + o["noise"] * rng_normal(derive_key(key, SINE_NOISE), STREAM_DATA, t)

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        k = self.options["horizon"]
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            for t in range(seq_len):
                i = t * n + j
                out.x[i] = self.sample(episode, b, t0 + t, split)
                out.target[i] = self.sample(episode, b, t0 + t + k, split)
                out.weight[i] = 1.0


def make_task(options):
    return SineTask(options)
`;

const ADDING = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: the adding problem (src/data/tasks/adding.ts). Inputs: a value in [0, 1) and a marker;
# one step is marked in each half; the last step's target is the sum of the two marked values.
# ---------------------------------------------------------------------------------------------
ADDING_MARKS = 1  # sub-key of a sequence's marked positions


class AddingTask:
    input_size = 2
    output_size = 1
    loss = "mse"

    def __init__(self, options):
        self.options = options

    def marks(self, key):
        length = self.options["length"]
        half = math.floor(length / 2)
        k = derive_key(key, ADDING_MARKS)
        return (math.floor(rng_uniform(k, STREAM_DATA, 0) * half),
                half + math.floor(rng_uniform(k, STREAM_DATA, 1) * (length - half)))

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        length = self.options["length"]
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            key = sequence_key(self.options["seed"], split, episode, b)
            m1, m2 = self.marks(key)
            total = rng_uniform(key, STREAM_DATA, m1) + rng_uniform(key, STREAM_DATA, m2)
            end = min(seq_len, length - t0)
            for t in range(end):
                s = t0 + t
                i = t * n + j
                out.x[2 * i] = rng_uniform(key, STREAM_DATA, s)
                out.x[2 * i + 1] = 1.0 if s == m1 or s == m2 else 0.0
                out.target[i] = total if s == length - 1 else 0.0
                out.weight[i] = 1.0 if s == length - 1 else 0.0
            pad_row(out, self, end, seq_len, j)


def make_task(options):
    return AddingTask(options)
`;

const CLASSIFY = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: sequence classification (src/data/tasks/classify.ts). Which wave family (shape and
# period) a noisy sequence of random length comes from; padded to maxLength, scored at each
# sequence's last real step.
# ---------------------------------------------------------------------------------------------
WAVE_SHAPES = ["sine", "square", "triangle", "sawtooth"]
WAVE_PERIODS = [8, 13]  # family k has shape k % 4 and period WAVE_PERIODS[k // 4]
CLASSIFY_NOISE = 1  # sub-key of a sequence's noise


def wave(shape, p):
    """One cycle of a shape at phase p (in cycles), in [-1, 1]."""
    f = p - math.floor(p)
    if shape == "sine":
        return math.sin(2 * math.pi * f)
    if shape == "square":
        return 1 if f < 0.5 else -1
    if shape == "triangle":
        return 4 * abs(f - 0.5) - 1
    return 2 * f - 1


class ClassifyTask:
    input_size = 1
    loss = "cross_entropy"

    def __init__(self, options):
        self.options = options
        self.output_size = options["classes"]

    def sequence(self, split, episode, b):
        o = self.options
        key = sequence_key(o["seed"], split, episode, b)

        def u(i):
            return rng_uniform(key, STREAM_DATA, i)

        label = math.floor(u(0) * o["classes"])
        length = o["minLength"] + math.floor(u(1) * (o["maxLength"] - o["minLength"] + 1))
        amplitude = 0.6 + 0.8 * u(2)
        period = WAVE_PERIODS[math.floor(label / len(WAVE_SHAPES))] * (0.9 + 0.2 * u(3))
        phase = u(4)
        shape = WAVE_SHAPES[label % len(WAVE_SHAPES)]
        noise_key = derive_key(key, CLASSIFY_NOISE)
        values = [amplitude * wave(shape, phase + t / period) + o["noise"] * rng_normal(noise_key, STREAM_DATA, t)
                  for t in range(length)]
        return label, length, values

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            label, length, values = self.sequence(split, episode, b)
            end = min(seq_len, length - t0)
            for t in range(end):
                s = t0 + t
                i = t * n + j
                out.x[i] = values[s]
                out.target[i] = label
                out.weight[i] = 1.0 if s == length - 1 else 0.0
            pad_row(out, self, end, seq_len, j)


def make_task(options):
    return ClassifyTask(options)
`;

export const PY_SIGNAL_TASKS: Record<string, PySection> = {
  sine: { name: 'sine', from: ['src/data/tasks/sine.ts'], needs: ['batch', 'keys'], code: SINE },
  adding: { name: 'adding', from: ['src/data/tasks/adding.ts'], needs: ['batch', 'keys', 'pad'], code: ADDING },
  classify: { name: 'classify', from: ['src/data/tasks/classify.ts'], needs: ['batch', 'keys', 'pad'], code: CLASSIFY },
};
