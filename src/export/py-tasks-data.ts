/**
 * Python source of the tasks on given data: the character model (src/data/tasks/charlm.ts) over
 * the brackets text, the bundled source text or the user's text, and the user's time series
 * (src/data/tasks/series.ts). Their data sit in the script as constants (TASK_TEXT, SERIES_COLUMNS,
 * SERIES_ROWS) that the exporter writes. Each section defines `make_task(options)`. Text only.
 */
import type { PySection } from './py-task-helpers';

const CHARLM = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: character language model (src/data/tasks/charlm.ts). Input: the current character one-hot
# over the text's vocabulary (its distinct characters in code point order); target: the next one.
# ---------------------------------------------------------------------------------------------
class CharLmTask:
    loss = "cross_entropy"
    val_batches = 2

    def __init__(self, options, text):
        self.vocabulary = sorted(set(text))
        index = {c: i for i, c in enumerate(self.vocabulary)}
        self.classes = [index[c] for c in text]
        self.input_size = len(self.vocabulary)
        self.output_size = len(self.vocabulary)
        self.stream = PairStream(options["seed"], len(text), 1, self.val_batches)

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        vocab = self.input_size
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            for t in range(seq_len):
                at = self.stream.item(split, episode, b, batch, t0 + t)
                i = t * n + j
                out.x[i * vocab:(i + 1) * vocab] = [0.0] * vocab
                out.x[i * vocab + self.classes[at]] = 1.0
                out.target[i] = self.classes[at + 1]
                out.weight[i] = 1.0


def make_task(options):
    if options["corpus"] == "brackets":
        text = brackets_corpus(options["seed"], options["corpusLength"], options["depth"])
    else:
        text = TASK_TEXT  # the bundled source text or the user's text, embedded above
    return CharLmTask(options, text)
`;

const SERIES = String.raw`
# ---------------------------------------------------------------------------------------------
# Task: the user's time series (src/data/tasks/series.ts). Input: a row; target: the row
# 'horizon' steps later; every column standardised with the training rows' mean and deviation.
# ---------------------------------------------------------------------------------------------
class SeriesTask:
    loss = "mse"
    val_batches = 2

    def __init__(self, options, columns, rows):
        width = len(columns)
        self.input_size = width
        self.output_size = width
        self.horizon = options["horizon"]
        self.stream = PairStream(options["seed"], len(rows), self.horizon, self.val_batches)
        train_rows = self.stream.val_start
        mean, std = [], []
        for c in range(width):
            total = 0
            for r in range(train_rows):
                total += rows[r][c]
            m = total / train_rows
            squares = 0
            for r in range(train_rows):
                squares += (rows[r][c] - m) ** 2
            mean.append(m)
            std.append(math.sqrt(squares / train_rows) or 1)  # a constant column stays at 0
        self.values = [[(v - mean[c]) / std[c] for c, v in enumerate(row)] for row in rows]

    def fill(self, episode, t0, seq_len, batch, out, split="train"):
        width = self.input_size
        n = len(out.rows)
        for j, b in enumerate(out.rows):
            for t in range(seq_len):
                row = self.stream.item(split, episode, b, batch, t0 + t)
                i = t * n + j
                for c in range(width):
                    out.x[i * width + c] = self.values[row][c]
                    out.target[i * width + c] = self.values[row + self.horizon][c]
                out.weight[i] = 1.0


def make_task(options):
    return SeriesTask(options, SERIES_COLUMNS, SERIES_ROWS)
`;

export const PY_DATA_TASKS: Record<string, PySection> = {
  charlm: {
    name: 'charlm',
    from: ['src/data/tasks/charlm.ts'],
    needs: ['batch', 'keys', 'pairStream', 'brackets'],
    code: CHARLM,
  },
  series: { name: 'series', from: ['src/data/tasks/series.ts'], needs: ['batch', 'keys', 'pairStream'], code: SERIES },
};
