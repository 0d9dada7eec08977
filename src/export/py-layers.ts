/**
 * Python source of the exported script's layered model, for runs with tricks that one
 * torch.nn.LSTM / GRU / RNN call cannot express: one module per layer (torch's own, bidirectional
 * where asked, or a small cell loop for layer norm and recurrent dropout), the residual sum, and
 * the app's dropout masks drawn with the ported counter RNG (src/training/dropout.ts). Mirrors
 * src/model/plan.ts and src/reference/rnn.ts. Text only; tests run it.
 */

export const PY_LAYERS = String.raw`
# ---------------------------------------------------------------------------------------------
# Dropout masks (src/training/dropout.ts): the app's masks, a pure function of (run seed, the run's
# own step, site, element), so this script drops the very units the app drops. An element is kept
# when its 24 random bits are at least ceil(p * 2^24); kept values are scaled by 1 / (1 - p).
# Site l: the output of layer l [T][B][D] (what the layer above or the head reads); site 64 + d:
# h_{t-1} of direction d [B][H] as it enters W_hh, one mask for the whole window.
# ---------------------------------------------------------------------------------------------
STREAM_DROPOUT = 3
LAYER_SITE = 0
RECURRENT_SITE = 64


def dropout_key(seed, run_step):
    return derive_key(derive_key(seed, STREAM_DROPOUT), run_step)


def rng_mix_tensor(x):
    """rng_mix on an int64 tensor of 32-bit words: products wrap in 64 bits, their low 32 bits are exact."""
    x = x & MASK32
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & MASK32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & MASK32
    return x ^ (x >> 16)


def dropout_mask(key, p, site, shape, rows):
    """The mask of one site as a float32 tensor of 'shape' ([..., B, n]), cut to this process's rows.

    rng_u32(k, STREAM_DROPOUT, i) for every element i at once, on int64 tensors: the masks of a
    large model cost a few tensor operations, not a Python call per element.
    """
    threshold = math.ceil(p * 16777216)
    scale = 1 / (1 - p)
    k = derive_key(key, site)
    counters = torch.arange(math.prod(shape), dtype=torch.int64)
    bits = rng_mix_tensor(k ^ rng_mix_tensor(STREAM_DROPOUT ^ rng_mix_tensor(counters ^ 0x9E3779B9)))
    mask = torch.where((bits >> 8) >= threshold, scale, 0.0).to(torch.float32).view(shape)
    return mask[..., rows.start:rows.stop, :]


def step_masks(config, step, plan_widths, seq_len, batch, rows, device):
    """{"output": [layer] [T][b][D] or None, "recurrent": [direction] [b][H] or None} for one step."""
    key = dropout_key(config["seed"], step)
    dirs = 2 if config["bidirectional"] else 1
    masks = {"output": None, "recurrent": None}
    if math.ceil(config["dropout"] * 16777216) > 0:
        masks["output"] = [dropout_mask(key, config["dropout"], LAYER_SITE + l, [seq_len, batch, width], rows).to(device)
                           for l, width in enumerate(plan_widths)]
    if math.ceil(config["recurrentDropout"] * 16777216) > 0:
        masks["recurrent"] = [dropout_mask(key, config["recurrentDropout"], RECURRENT_SITE + d, [batch, config["hiddenSize"]], rows).to(device)
                              for d in range(config["numLayers"] * dirs)]
    return masks


# ---------------------------------------------------------------------------------------------
# A layer as a loop over timesteps (src/reference/rnn.ts), for what torch's fused modules cannot
# do: a norm (src/reference/norm.ts) of W_ih x_t and of W_hh h_{t-1}, each before its bias, and of
# the LSTM's c_t before its tanh (c_t itself is carried unnormalised): layer norm (Ba et al. 2016)
# over the G*H values of a row, or recurrent batch norm (Cooijmans et al. 2016) over the batch
# with running statistics per timestep of the window (torch's momentum 0.1 and unbiased running
# variance), used in evaluation; recurrent dropout on h_{t-1} where it enters W_hh. Its
# parameters carry the app's names (weight_ih_l1_reverse, ln_hh_l1.weight, bn_c_l0.bias, ...).
# ---------------------------------------------------------------------------------------------
class StepBatchNorm(torch.nn.Module):
    """A gain and bias (torch's BatchNorm1d names) and running statistics for each of 'steps' timesteps."""

    def __init__(self, size, steps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.full([size], 0.1))
        self.bias = torch.nn.Parameter(torch.zeros(size))
        self.register_buffer("running_mean", torch.zeros(steps, size))
        self.register_buffer("running_var", torch.ones(steps, size))

    def forward(self, x, k):
        """x [B][n] at processing step k: batch statistics in training (updating step k's running ones), else step k's running ones."""
        return torch.nn.functional.batch_norm(x, self.running_mean[k], self.running_var[k], self.weight, self.bias,
                                              training=self.training, momentum=0.1, eps=1e-5)


def cell_step(cell, gx, gh, h, c, ln_c):
    """One timestep of torch's cell equations from the pre-activations gx and gh [B][G*H]."""
    if cell == "lstm":
        i, f, g, o = (gx + gh).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        c_out = c if ln_c is None else ln_c(c)
        return torch.sigmoid(o) * torch.tanh(c_out), c
    if cell == "gru":
        xr, xz, xn = gx.chunk(3, dim=-1)
        hr, hz, hn = gh.chunk(3, dim=-1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h, None
    a = gx + gh
    return (torch.relu(a) if cell == "rnn_relu" else torch.tanh(a)), None


class CellLayer(torch.nn.Module):
    def __init__(self, cell, input_size, hidden_size, layer, bidirectional, norm, seq_len):
        super().__init__()
        self.cell = cell
        self.layer = layer
        self.norm = norm
        self.suffixes = ["", "_reverse"] if bidirectional else [""]
        self.recurrent_masks = None  # set per step: one [B][H] mask per direction, or None
        gh = GATES[cell] * hidden_size
        for suffix in self.suffixes:
            for kind, shape in [("weight_ih", [gh, input_size]), ("weight_hh", [gh, hidden_size]), ("bias_ih", [gh]), ("bias_hh", [gh])]:
                self.register_parameter(f"{kind}_l{layer}{suffix}", torch.nn.Parameter(torch.zeros(shape)))
            for site in (["ih", "hh", "c"] if cell == "lstm" else ["ih", "hh"]) if norm != "none" else []:
                size = hidden_size if site == "c" else gh
                module = torch.nn.LayerNorm(size, eps=1e-5) if norm == "layer" else StepBatchNorm(size, seq_len)
                self.add_module(f"{'ln' if norm == 'layer' else 'bn'}_{site}_l{layer}{suffix}", module)

    def part(self, name, suffix):
        return getattr(self, f"{name}_l{self.layer}{suffix}", None)

    def normed(self, x, site, suffix, k):
        """x [B][n] normalised at site 'site' and processing step k (x itself without a norm)."""
        if self.norm == "layer":
            return self.part(f"ln_{site}", suffix)(x)
        if self.norm == "batch":
            return self.part(f"bn_{site}", suffix)(x, k)
        return x

    def direction(self, x, d, h, c, carry_at):
        """Direction d over x [T][B][I] from (h, c) [B][H]: outputs [T][B][H], its state after carry_at steps and its last."""
        suffix = self.suffixes[d]
        gx = x @ self.part("weight_ih", suffix).t()
        mask = self.recurrent_masks[d] if self.recurrent_masks is not None else None
        c_norm = None
        steps = range(x.shape[0]) if suffix == "" else reversed(range(x.shape[0]))
        out = [None] * x.shape[0]
        carried = (h, c)
        for k, t in enumerate(steps):
            if self.cell == "lstm" and self.norm != "none":
                c_norm = lambda v, k=k: self.normed(v, "c", suffix, k)
            h_in = h if mask is None else h * mask
            gx_t = self.normed(gx[t], "ih", suffix, k) + self.part("bias_ih", suffix)
            gh = self.normed(h_in @ self.part("weight_hh", suffix).t(), "hh", suffix, k) + self.part("bias_hh", suffix)
            h, c = cell_step(self.cell, gx_t, gh, h, c, c_norm)
            out[t] = h
            if k + 1 == carry_at:
                carried = (h, c)
        return torch.stack(out), carried, (h, c)

    def forward(self, x, state, carry_at=None):
        """x [T][B][I], state h [dirs][B][H] (LSTM: (h, c)) or None -> outputs, the state after
        carry_at steps (each direction's own count) and after the last, in torch's state layout."""
        lstm = self.cell == "lstm"
        if state is None:
            zeros = x.new_zeros(len(self.suffixes), x.shape[1], self.part("weight_hh", "").shape[1])
            state = (zeros, zeros) if lstm else zeros
        h0, c0 = state if lstm else (state, None)
        outs, carried, last = [], [], []
        for d in range(len(self.suffixes)):
            out, kept, final = self.direction(x, d, h0[d], c0[d] if lstm else None, carry_at or x.shape[0])
            outs.append(out)
            carried.append(kept)
            last.append(final)
        as_state = lambda pairs: (torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs])) if lstm else torch.stack([p[0] for p in pairs])
        return torch.cat(outs, dim=-1), as_state(carried), as_state(last)


# ---------------------------------------------------------------------------------------------
# The layered model (src/model/plan.ts): layer l reads the data (l = 0) or the layer below's
# output, both directions side by side as torch concatenates them; a residual layer (input as wide
# as its output) returns h plus its input; the output mask of layer l multiplies what the layer
# above or the head reads. Truncated BPTT carries each forward direction's state after carry_at
# steps; a reverse direction sees only its window and starts from zeros in every window.
# ---------------------------------------------------------------------------------------------
def uses_layers(config):
    return (config["bidirectional"] or config["residual"] or config["norm"] != "none"
            or config["dropout"] > 0 or config["recurrentDropout"] > 0)


def zero_reverse(state):
    """The state with its reverse direction (index 1) zeroed: the next window starts it afresh."""
    if isinstance(state, tuple):
        return tuple(zero_reverse(s) for s in state)
    return torch.cat([state[:1], torch.zeros_like(state[1:])])


class LayeredNet(torch.nn.Module):
    def __init__(self, cell, input_size, hidden_size, num_layers, outputs, bidirectional, residual, norm, loop, seq_len):
        super().__init__()
        width = (2 if bidirectional else 1) * hidden_size
        self.bidirectional = bidirectional
        self.widths = [width] * num_layers
        self.residual = [residual and (input_size if l == 0 else width) == width for l in range(num_layers)]
        layers = []
        for l in range(num_layers):
            inputs = input_size if l == 0 else width
            if loop:
                layers.append(CellLayer(cell, inputs, hidden_size, l, bidirectional, norm, seq_len))
            elif cell == "lstm":
                layers.append(torch.nn.LSTM(inputs, hidden_size, 1, bidirectional=bidirectional))
            elif cell == "gru":
                layers.append(torch.nn.GRU(inputs, hidden_size, 1, bidirectional=bidirectional))
            else:
                nonlinearity = "relu" if cell == "rnn_relu" else "tanh"
                layers.append(torch.nn.RNN(inputs, hidden_size, 1, nonlinearity=nonlinearity, bidirectional=bidirectional))
        self.layers = torch.nn.ModuleList(layers)
        self.head = torch.nn.Linear(width, outputs)

    def app_parameters(self):
        """Parameters by the app's names: torch's layer modules call every layer l0."""
        named = {}
        for l, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                named[name if isinstance(layer, CellLayer) else name.replace("_l0", f"_l{l}")] = p
        named.update({"head." + name: p for name, p in self.head.named_parameters()})
        return named

    def run_layer(self, layer, x, state, carry_at):
        """The layer over the window, and its state after carry_at steps (detached by the caller)."""
        if isinstance(layer, CellLayer):
            # One pass: a batch norm's statistics are per timestep of the window, counted from its start.
            out, carried, _ = layer(x, state, carry_at)
            return out, zero_reverse(carried) if self.bidirectional else carried
        if not self.bidirectional:
            out, carried = layer(x[:carry_at], state)
            if carry_at < x.shape[0]:
                rest, _ = layer(x[carry_at:], carried)
                out = torch.cat([out, rest])
            return out, carried
        # The reverse direction reads the whole window, so the layer runs over all of it; the
        # forward direction's state after carry_at steps is that of a run over the first carry_at.
        out, last = layer(x, state)
        if carry_at == x.shape[0]:
            return out, zero_reverse(last)
        with torch.no_grad():
            _, carried = layer(x[:carry_at], state)
        return out, zero_reverse(carried)

    def forward(self, x, state, carry_at, masks=None):
        """x [T][B][I] -> head outputs [T][B][O], and each layer's state after carry_at steps."""
        masks = masks or {"output": None, "recurrent": None}
        dirs = 2 if self.bidirectional else 1
        carried = []
        for l, layer in enumerate(self.layers):
            if isinstance(layer, CellLayer):
                layer.recurrent_masks = masks["recurrent"][l * dirs:(l + 1) * dirs] if masks["recurrent"] else None
            out, kept = self.run_layer(layer, x, state[l] if state is not None else None, carry_at)
            if self.residual[l]:
                out = out + x
            if masks["output"] is not None:
                out = out * masks["output"][l]
            carried.append(kept)
            x = out
        return self.head(x), carried
`;
