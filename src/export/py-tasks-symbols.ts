/**
 * Python source of the generated tasks on discrete symbols (copy, parity, embedded Reber), each
 * ported from its file in src/data/tasks with the same arithmetic in the same order, including the
 * held-out split's rejection draws. Each section defines `make_task(options)`. Text only.
 */
import type { PySection } from './py-task-helpers';

const COPY = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: copy (src/data/tasks/copy.ts). A string of 'length' symbols, 'delay' blanks, a go marker,
# then the string must be written out again; one-hot inputs (symbols, blank, go); only the recall
# steps are scored.
# ---------------------------------------------------------------------------------------------
class CopyTask:
    loss = "cross_entropy"

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

export const PY_SYMBOL_TASKS: Record<string, PySection> = {
  copy: { name: 'copy', from: ['src/data/tasks/copy.ts'], needs: ['batch', 'keys', 'pad', 'heldOut'], code: COPY },
  parity: { name: 'parity', from: ['src/data/tasks/parity.ts'], needs: ['batch', 'keys', 'pad', 'heldOut'], code: PARITY },
  reber: { name: 'reber', from: ['src/data/tasks/reber.ts'], needs: ['batch', 'keys', 'pad', 'heldOut'], code: REBER },
};
