/**
 * Python source of the exported script's model: torch.nn.LSTM / GRU / RNN with PyTorch's own
 * parameter names plus a torch.nn.Linear head (src/model/model-layout.ts), the tensors of a run's
 * parameter vector in the app's order (src/experiments/weights.ts), and the initial weights drawn
 * from the counter RNG as src/model/init.ts draws them, or embedded. Text only; tests run it.
 */

export const PY_MODEL = String.raw`
# ---------------------------------------------------------------------------------------------
# Model (src/model/model-layout.ts): torch.nn.LSTM / GRU / RNN, batch_first=False, with PyTorch's
# parameter names, and a linear head on the top layer's hidden state at every timestep.
# ---------------------------------------------------------------------------------------------
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}  # LSTM i, f, g, o; GRU r, z, n


class RecurrentNet(torch.nn.Module):
    def __init__(self, cell, input_size, hidden_size, num_layers, outputs):
        super().__init__()
        if cell == "lstm":
            self.rnn = torch.nn.LSTM(input_size, hidden_size, num_layers)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(input_size, hidden_size, num_layers)
        else:
            self.rnn = torch.nn.RNN(input_size, hidden_size, num_layers, nonlinearity="relu" if cell == "rnn_relu" else "tanh")
        self.head = torch.nn.Linear(hidden_size, outputs)

    def app_parameters(self):
        """Parameters by the app's names (src/experiments/weights.ts): torch's, without "rnn."."""
        return {name.removeprefix("rnn."): p for name, p in self.named_parameters()}

    def forward(self, x, state, carry_at, masks=None):
        """x [T][B][I] -> head outputs [T][B][O], and the state after the first carry_at steps.

        The window runs in two pieces so that the state after carry_at steps (what truncated BPTT
        carries into the next window) comes out of torch's own module; the gradient flows through
        both pieces as through one call. state None starts from zeros.
        """
        out, carried = self.rnn(x[:carry_at], state)
        if carry_at < x.shape[0]:
            rest, _ = self.rnn(x[carry_at:], carried)
            out = torch.cat([out, rest])
        return self.head(out), carried


def detach_state(state):
    """The carried state without its gradient path (truncated BPTT stops backpropagating here)."""
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(s) for s in state)
    return state.detach()


# ---------------------------------------------------------------------------------------------
# Initial weights (src/model/init.ts): torch's default distributions, U(-1/sqrt(H), 1/sqrt(H))
# for the recurrent tensors and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the head (fan_in = its
# input width: H, or 2H when bidirectional), drawn from the counter RNG keyed by the run's seed,
# tensor i from sub-key i, in this order. Norm gains start at 1 (layer norm) or 0.1 (batch norm)
# and their biases at 0, and draw nothing: the other tensors keep the sub-keys they have without a norm.
# ---------------------------------------------------------------------------------------------
def parameter_slots(cell, input_size, hidden_size, num_layers, outputs, bidirectional=False, norm="none"):
    """(name, shape) of every tensor of a run's parameter vector, in the app's order (src/model/plan.ts)."""
    rows = GATES[cell] * hidden_size
    suffixes = ["", "_reverse"] if bidirectional else [""]
    width = len(suffixes) * hidden_size
    sites = (["ih", "hh", "c"] if cell == "lstm" else ["ih", "hh"]) if norm != "none" else []
    prefix = "ln" if norm == "layer" else "bn"
    slots = []
    for layer in range(num_layers):
        inputs = input_size if layer == 0 else width
        for suffix in suffixes:
            slots += [
                (f"weight_ih_l{layer}{suffix}", [rows, inputs]),
                (f"weight_hh_l{layer}{suffix}", [rows, hidden_size]),
                (f"bias_ih_l{layer}{suffix}", [rows]),
                (f"bias_hh_l{layer}{suffix}", [rows]),
            ]
            for site in sites:
                size = hidden_size if site == "c" else rows
                slots += [(f"{prefix}_{site}_l{layer}{suffix}.weight", [size]), (f"{prefix}_{site}_l{layer}{suffix}.bias", [size])]
    slots += [("head.weight", [outputs, width]), ("head.bias", [outputs])]
    return slots


def initial_weights(seed, slots, hidden_size):
    key = derive_key(seed, STREAM_INIT)
    head_inputs = slots[-2][1][1]
    weights = {}
    index = 0
    for name, shape in slots:
        if name.startswith(("ln_", "bn_")):
            gain = 1.0 if name.startswith("ln_") else 0.1  # Cooijmans et al. 2016: batch norm gains start at 0.1
            weights[name] = [gain if name.endswith(".weight") else 0.0] * math.prod(shape)
            continue
        bound = 1 / math.sqrt(head_inputs if name.startswith("head.") else hidden_size)
        k = derive_key(key, index)
        index += 1
        weights[name] = [(2 * rng_uniform(k, STREAM_INIT, i) - 1) * bound for i in range(math.prod(shape))]
    return weights


def load_weights(net, weights, slots):
    """Copies flat lists (row-major, PyTorch's shapes) into the model, rounding to float32."""
    params = net.app_parameters()
    with torch.no_grad():
        for name, shape in slots:
            params[name].copy_(torch.tensor(weights[name], dtype=torch.float32).view(shape))
`;
