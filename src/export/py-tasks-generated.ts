/**
 * Python source of the generated tasks (sine, adding, copy, parity, reber, classify), each ported
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
    val_batches = 2

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
    val_batches = 4

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

const COPY = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: copy (src/data/tasks/copy.ts). A string of 'length' symbols, 'delay' blanks, a go marker,
# then the string must be written out again; one-hot inputs (symbols, blank, go); only the recall
# steps are scored.
# ---------------------------------------------------------------------------------------------
class CopyTask:
    loss = "cross_entropy"
    val_batches = 4

    def __init__(self, options):
        self.options = options
        self.input_size = options["symbols"] + 2  # symbols, blank, go
        self.output_size = options["symbols"]
        self.episode_length = 2 * options["length"] + options["delay"] + 1
        self.held_out = HeldOut(options["seed"], list_space(options["symbols"], options["length"]))

    def string(self, split, episode, b):
        o = self.options

        def make(key):
            return {"symbols": [math.floor(rng_uniform(key, STREAM_DATA, i) * o["symbols"]) for i in range(o["length"])]}

        return self.held_out.draw(split, sequence_key(o["seed"], split, episode, b), make)["symbols"]

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        symbols, length, delay = self.options["symbols"], self.options["length"], self.options["delay"]
        inputs = self.input_size
        go = length + delay
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            string = self.string(split, episode, b)
            end = min(seq_len, self.episode_length - t0)
            for t in range(end):
                s = t0 + t
                i = t * n + j
                out.x[i * inputs:(i + 1) * inputs] = [0.0] * inputs
                out.x[i * inputs + (string[s] if s < length else symbols + 1 if s == go else symbols)] = 1.0
                recall = s > go
                out.target[i] = string[s - go - 1] if recall else 0.0
                out.weight[i] = 1.0 if recall else 0.0
            pad_row(out, self, end, seq_len, j)


def make_task(options):
    return CopyTask(options)
`;

const PARITY = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: parity (src/data/tasks/parity.ts). One random bit per step; the target is the XOR of all
# bits so far, scored at every step or only at the last.
# ---------------------------------------------------------------------------------------------
class ParityTask:
    input_size = 1
    output_size = 2
    loss = "cross_entropy"
    val_batches = 4

    def __init__(self, options):
        self.options = options
        self.held_out = HeldOut(options["seed"], list_space(2, options["length"]))

    def bits(self, split, episode, b):
        o = self.options

        def make(key):
            return {"symbols": [0 if rng_uniform(key, STREAM_DATA, i) < 0.5 else 1 for i in range(o["length"])]}

        return self.held_out.draw(split, sequence_key(o["seed"], split, episode, b), make)["symbols"]

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        length, targets = self.options["length"], self.options["targets"]
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            bits = self.bits(split, episode, b)
            parity = 0
            for s in range(min(t0, length)):
                parity ^= bits[s]
            end = min(seq_len, length - t0)
            for t in range(end):
                s = t0 + t
                i = t * n + j
                parity ^= bits[s]
                out.x[i] = bits[s]
                out.target[i] = parity
                out.weight[i] = 1.0 if targets == "every" or s == length - 1 else 0.0
            pad_row(out, self, end, seq_len, j)


def make_task(options):
    return ParityTask(options)
`;

const REBER = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: embedded Reber grammar (src/data/tasks/reber.ts). Next-symbol prediction on one-hot
# symbols B T P S X V E; trained on every step, the metric counts the determined steps only.
# ---------------------------------------------------------------------------------------------
REBER_SYMBOLS = "BTPSXVE"
R_B, R_T, R_P, R_S, R_X, R_V, R_E = range(7)
# The inner Reber graph: from each state two edges (symbol, next state), each with probability 1/2.
REBER_GRAPH = [
    [(R_T, 1), (R_P, 2)],
    [(R_S, 1), (R_X, 3)],
    [(R_T, 2), (R_V, 4)],
    [(R_X, 2), (R_S, 5)],
    [(R_P, 3), (R_V, 5)],
]
REBER_FINAL = 5


def embedded_reber(choice, max_length):
    """A random embedded Reber string from coins choice(0), choice(1), ..., or None past max_length."""
    coins = [0]

    def flip():
        c = choice(coins[0])
        coins[0] += 1
        return 0 if c < 0.5 else 1

    outer = R_T if flip() == 0 else R_P
    symbols = [R_B, outer, R_B]
    determined = [False, True, False]
    state = 0
    while state != REBER_FINAL:
        symbol, state = REBER_GRAPH[state][flip()]
        symbols.append(symbol)
        determined.append(state == REBER_FINAL)  # the inner string's E follows for sure
        if len(symbols) + 3 > max_length:
            return None
    symbols += [R_E, outer, R_E]
    determined += [True, True, False]
    return {"symbols": symbols, "determined": determined}


def list_reber(max_length):
    """Every embedded Reber string up to max_length, or None when there are more than LISTABLE."""
    out = []

    def walk(state, inner):
        if state == REBER_FINAL:
            for outer in (R_T, R_P):
                out.append([R_B, outer] + inner + [R_E, outer, R_E])
            return len(out) <= LISTABLE
        if len(inner) + 1 + 5 > max_length:
            return True
        return all(walk(nxt, inner + [symbol]) for symbol, nxt in REBER_GRAPH[state])

    return out if walk(0, [R_B]) else None


class ReberTask:
    input_size = len(REBER_SYMBOLS)
    output_size = len(REBER_SYMBOLS)
    loss = "cross_entropy"
    val_batches = 4
    has_metric_weight = True

    def __init__(self, options):
        self.options = options
        self.held_out = HeldOut(options["seed"], list_reber(options["maxLength"]))

    def string(self, split, episode, b):
        o = self.options
        key = sequence_key(o["seed"], split, episode, b)
        return self.held_out.draw(split, key, lambda k: embedded_reber(lambda i: rng_uniform(k, STREAM_DATA, i), o["maxLength"]))

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        inputs = self.input_size
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            drawn = self.string(split, episode, b)
            symbols, determined = drawn["symbols"], drawn["determined"]
            end = min(seq_len, len(symbols) - 1 - t0)
            for t in range(end):
                s = t0 + t
                i = t * n + j
                out.x[i * inputs:(i + 1) * inputs] = [0.0] * inputs
                out.x[i * inputs + symbols[s]] = 1.0
                out.target[i] = symbols[s + 1]
                out.weight[i] = 1.0
                if out.metric_weight is not None:
                    out.metric_weight[i] = 1.0 if determined[s] else 0.0
            pad_row(out, self, end, seq_len, j)


def make_task(options):
    return ReberTask(options)
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
    val_batches = 4

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

export const PY_GENERATED_TASKS: Record<string, PySection> = {
  sine: { name: 'sine', from: ['src/data/tasks/sine.ts'], needs: ['batch', 'keys'], code: SINE },
  adding: { name: 'adding', from: ['src/data/tasks/adding.ts'], needs: ['batch', 'keys', 'pad'], code: ADDING },
  copy: { name: 'copy', from: ['src/data/tasks/copy.ts'], needs: ['batch', 'keys', 'pad', 'heldOut'], code: COPY },
  parity: { name: 'parity', from: ['src/data/tasks/parity.ts'], needs: ['batch', 'keys', 'pad', 'heldOut'], code: PARITY },
  reber: { name: 'reber', from: ['src/data/tasks/reber.ts'], needs: ['batch', 'keys', 'pad', 'heldOut'], code: REBER },
  classify: { name: 'classify', from: ['src/data/tasks/classify.ts'], needs: ['batch', 'keys', 'pad'], code: CLASSIFY },
};
