/**
 * Python source shared by the exported task generators: the batch arrays (src/data/task.ts), the
 * sequence keys, held-out split and padding (src/data/tasks/split.ts), the pair stream over given
 * data (src/data/tasks/stream.ts) and the brackets text (src/data/corpus/brackets.ts). The
 * exporter includes only the helpers the experiment's task needs. Text only; tests run it.
 */

/** What a helper is, where it comes from, and the helpers it uses. */
export interface PySection {
  name: string;
  /** Files of this project the section is ported from, for the script's header. */
  from: string[];
  needs: string[];
  code: string;
}

const BATCH = String.raw`
# ---------------------------------------------------------------------------------------------
# Batches (src/data/task.ts): flat lists, timestep-major like the app's GPU buffers.
# A batch holds rows 'rows' (a range of the full batch's rows: all of them, or this process's share
# under torchrun); entry (t, j) of a [T][n] array is at t * n + j, j the row's place in 'rows'.
# ---------------------------------------------------------------------------------------------
class Batch:
    def __init__(self, task, seq_len, rows):
        self.rows = rows
        n = len(rows)
        targets = task.output_size if task.loss == "mse" else 1
        self.x = [0.0] * (seq_len * n * task.input_size)  # [T][n][I]
        self.target = [0.0] * (seq_len * n * targets)  # [T][n][O] values, or [T][n] class indices
        self.weight = [0.0] * (seq_len * n)  # [T][n] loss weight; 0 masks a step out
        self.metric_weight = [0.0] * (seq_len * n) if getattr(task, "has_metric_weight", False) else None
`;

const KEYS = String.raw`
# ---------------------------------------------------------------------------------------------
# Sequence keys (src/data/tasks/split.ts): every number of one sequence derives from
# (seed, split, episode, row); the validation split has keys of its own.
# ---------------------------------------------------------------------------------------------
VAL_TAG = 0x76616C  # 'val'


def sequence_key(seed, split, episode, row):
    split_key = seed if split == "train" else derive_key(seed, VAL_TAG)
    return derive_key(derive_key(split_key, episode), row)
`;

const PAD = String.raw`
def pad_row(out, task, start, seq_len, j):
    """Steps [start, seq_len) of row j are padding: inputs and targets 0, weight 0."""
    n = len(out.rows)
    inputs = task.input_size
    targets = task.output_size if task.loss == "mse" else 1
    for t in range(max(0, start), seq_len):
        i = t * n + j
        out.x[i * inputs:(i + 1) * inputs] = [0.0] * inputs
        out.target[i * targets:(i + 1) * targets] = [0.0] * targets
        out.weight[i] = 0.0
        if out.metric_weight is not None:
            out.metric_weight[i] = 0.0
`;

const HELD_OUT = String.raw`
# ---------------------------------------------------------------------------------------------
# Held-out split of discrete sequences (src/data/tasks/split.ts): a seeded hash of the whole
# sequence puts one in HOLD_OUT of them in the validation split; sequences are drawn by rejection.
# ---------------------------------------------------------------------------------------------
HOLD_OUT = 8
LISTABLE = 4096


class HeldOut:
    def __init__(self, seed, space=None):
        """space: every possible sequence, when there are at most LISTABLE; the salt then makes both splits non-empty."""
        salt = rng_mix(seed ^ 0x68656C64)  # 'held'
        if space is not None:
            while not any(self.is_val(s, salt) for s in space) or all(self.is_val(s, salt) for s in space):
                salt = rng_mix(salt + 1)
        self.salt = salt

    @staticmethod
    def is_val(symbols, salt):
        h = salt
        for s in symbols:
            h = rng_mix(h ^ (((s + 1) * 0x9E3779B1) & MASK32))
        return rng_mix(h ^ len(symbols)) % HOLD_OUT == 0

    def split_of(self, symbols):
        return "val" if self.is_val(symbols, self.salt) else "train"

    def draw(self, split, key, make):
        """The first of make(derive_key(key, 0)), make(derive_key(key, 1)), ... in 'split' (make may refuse with None)."""
        attempt = 0
        while True:
            made = make(derive_key(key, attempt))
            if made is not None and self.split_of(made["symbols"]) == split:
                return made
            attempt += 1


def list_space(base, length):
    """Every sequence of 'length' symbols from 'base', or None when there are more than LISTABLE."""
    if length * math.log2(base) > math.log2(LISTABLE):
        return None
    out = []
    for n in range(base ** length):
        s = []
        v = n
        for _ in range(length):
            s.append(v % base)
            v = math.floor(v / base)
        out.append(s)
    return out
`;

const PAIR_STREAM = String.raw`
# ---------------------------------------------------------------------------------------------
# Pair stream over given data (src/data/tasks/stream.ts): input item i, target item i + horizon;
# the first 90% of the items train, the last 10% validate. Training rows start at a seeded pair
# and walk on, wrapping inside their split; validation rows start evenly spread.
# ---------------------------------------------------------------------------------------------
VAL_FRACTION = 0.1


class PairStream:
    def __init__(self, seed, items, horizon, val_batches):
        self.seed = seed
        self.val_batches = val_batches
        self.val_start = items - max(1, math.floor(items * VAL_FRACTION))
        self.train_pairs = self.val_start - horizon
        self.val_pairs = items - self.val_start - horizon

    def item(self, split, episode, b, batch, t):
        """The input item of step t of row b of an episode (its target is this + horizon)."""
        if split == "train":
            key = sequence_key(self.seed, "train", episode, b)
            start = math.floor(rng_uniform(key, STREAM_DATA, 0) * self.train_pairs)
            return (start + t) % self.train_pairs
        rows = self.val_batches * batch
        start = math.floor(((episode * batch + b) % rows) * (self.val_pairs / rows))
        return self.val_start + (start + t) % self.val_pairs
`;

const BRACKETS = String.raw`
# ---------------------------------------------------------------------------------------------
# The brackets text (src/data/corpus/brackets.ts): words and nested (), [] and {} groups, one
# expression per line, seeded.
# ---------------------------------------------------------------------------------------------
BRACKET_WORDS = ["a", "b", "c", "ab", "ba", "cab", "bad", "dab", "fed", "face", "dead", "beef"]
BRACKET_PAIRS = ["()", "[]", "{}"]
NEST = 0.45  # chance that an item is a group while the depth allows one


def brackets_corpus(seed, length, depth):
    rng = RngStream(derive_key(seed, 0x627261), STREAM_DATA)  # 'bra'

    def pick(items):
        return items[math.floor(rng.uniform() * len(items))]

    def expr(room):
        out = []
        for _ in range(1 + math.floor(rng.uniform() * 3)):
            if room > 0 and rng.uniform() < NEST:
                pair = pick(BRACKET_PAIRS)
                out.append(pair[0] + expr(room - 1) + pair[1])
            else:
                out.append(pick(BRACKET_WORDS))
        return " ".join(out)

    lines = []
    size = 0
    while size < length:
        line = expr(depth) + "\n"
        lines.append(line)
        size += len(line)
    return "".join(lines)
`;

export const PY_HELPERS: Record<string, PySection> = {
  batch: { name: 'batch', from: ['src/data/task.ts'], needs: [], code: BATCH },
  keys: { name: 'keys', from: ['src/data/tasks/split.ts'], needs: [], code: KEYS },
  pad: { name: 'pad', from: ['src/data/tasks/split.ts'], needs: ['batch'], code: PAD },
  heldOut: { name: 'heldOut', from: ['src/data/tasks/split.ts'], needs: [], code: HELD_OUT },
  pairStream: { name: 'pairStream', from: ['src/data/tasks/stream.ts'], needs: ['keys'], code: PAIR_STREAM },
  brackets: { name: 'brackets', from: ['src/data/corpus/brackets.ts'], needs: [], code: BRACKETS },
};
