/**
 * Python source of the exported script's training loop: BPTT windows (src/training/bptt.ts), the
 * learning-rate schedule (src/training/schedules.ts), the weighted loss (src/reference/train.ts
 * referenceLoss), torch.optim with the run's settings, clipping in our order, torchrun's
 * DistributedDataParallel over batch rows, and the command line. Text only; tests run it.
 */

export const PY_TRAINING = String.raw`
# ---------------------------------------------------------------------------------------------
# BPTT windows (src/training/bptt.ts). Full: step n is a fresh episode n from a zero state.
# Truncated: windows of seqLen steps advance k1 at a time through an episode; the state after k1
# steps is carried, detached, into the next window, which scores only its k1 new steps.
# ---------------------------------------------------------------------------------------------
def window_plan(bptt, seq_len, n):
    """Which part of which episode 0-based training step n sees."""
    if bptt["kind"] == "full":
        return {"episode": n, "t0": 0, "carry": False, "score_from": 0}
    per_episode = math.floor((bptt["episodeLength"] - seq_len) / bptt["k1"]) + 1
    w = n % per_episode
    return {
        "episode": math.floor(n / per_episode),
        "t0": w * bptt["k1"],
        "carry": w > 0,
        "score_from": seq_len - bptt["k1"] if w > 0 else 0,
    }


def score_window(weight, seq_len, n, score_from, last_only):
    """Zeroes the loss weight of the steps the window does not score (already scored, or not the last)."""
    for t in range(seq_len):
        if not (t >= score_from and (not last_only or t == seq_len - 1)):
            weight[t * n:(t + 1) * n] = [0.0] * n


def training_batch(task, config, plan, rows, device, split="train"):
    """The plan's window as tensors: x [T][n][I], target [T][n][O] or class indices [T][n], weight [T][n]."""
    seq_len, n = config["seqLen"], len(rows)
    out = Batch(task, seq_len, rows)
    task.fill(plan["episode"], plan["t0"], seq_len, config["batch"], out, split)
    score_window(out.weight, seq_len, n, plan["score_from"], config["head"] == "last")
    x = torch.tensor(out.x, dtype=torch.float32).view(seq_len, n, task.input_size)
    target = torch.tensor(out.target, dtype=torch.float32)
    target = target.view(seq_len, n, task.output_size) if task.loss == "mse" else target.long().view(seq_len, n)
    weight = torch.tensor(out.weight, dtype=torch.float32).view(seq_len, n)
    return x.to(device), target.to(device), weight.to(device)


# ---------------------------------------------------------------------------------------------
# Learning rate per 1-based step (src/training/schedules.ts): linear warmup from lr / warmup,
# then StepLR, ExponentialLR or CosineAnnealingLR semantics, counted from the end of the warmup.
# ---------------------------------------------------------------------------------------------
def learning_rate(base_lr, schedule, step):
    warmup = schedule["warmup"]
    if warmup > 0 and step <= warmup:
        return base_lr * step / warmup
    k = step - warmup - 1  # steps the schedule has taken
    kind = schedule["kind"]
    if kind == "step":
        return base_lr * schedule["gamma"] ** math.floor(k / schedule["stepSize"])
    if kind == "exponential":
        return base_lr * schedule["gamma"] ** k
    if kind == "cosine":
        if k >= schedule["tMax"]:
            return schedule["etaMin"]
        return schedule["etaMin"] + (base_lr - schedule["etaMin"]) * (1 + math.cos(math.pi * k / schedule["tMax"])) / 2
    return base_lr


# ---------------------------------------------------------------------------------------------
# Loss (src/reference/train.ts referenceLoss): the weighted mean over scored steps of the mean
# squared error over outputs (mse) or the cross-entropy in nats. This returns the weighted sum;
# the caller divides by the total weight of the whole batch (0 when nothing is scored).
# ---------------------------------------------------------------------------------------------
def weighted_loss_sum(kind, y, target, weight):
    if kind == "mse":
        per_step = ((y - target) ** 2).mean(dim=-1)
    else:
        per_step = torch.nn.functional.cross_entropy(y.flatten(0, 1), target.flatten(), reduction="none").view_as(weight)
    return (weight * per_step).sum()


# ---------------------------------------------------------------------------------------------
# Optimizer and clipping: torch.optim with the run's settings (src/reference/optim.ts mirrors
# these rules); clipping by global L2 norm first, then by value.
# ---------------------------------------------------------------------------------------------
def make_optimizer(params, o):
    if o["kind"] == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                               nesterov=o["nesterov"], weight_decay=o["weightDecay"])
    if o["kind"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=o["lr"], alpha=o["alpha"], eps=o["eps"], weight_decay=o["weightDecay"],
                                   momentum=o["momentum"], centered=o["centered"])
    adam = torch.optim.Adam if o["kind"] == "adam" else torch.optim.AdamW
    return adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["weightDecay"])


def clip_gradients(params, clip):
    if clip.get("maxNorm") is not None:
        torch.nn.utils.clip_grad_norm_(params, clip["maxNorm"])
    if clip.get("value") is not None:
        torch.nn.utils.clip_grad_value_(params, clip["value"])


# ---------------------------------------------------------------------------------------------
# torchrun: each process trains every run on its own share of each batch's rows (rows
# rank * B // W up to (rank + 1) * B // W), under DistributedDataParallel. Every process scales
# its share's loss by W / (the whole batch's loss weight), so DDP's mean of the gradients is the
# gradient of the whole batch's loss, the same as one process computes.
# ---------------------------------------------------------------------------------------------
def setup_processes(device_name):
    """(rank, world size, device) of this process; a single process when WORLD_SIZE is not set."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, torch.device(device_name)
    if device_name == "cuda":
        local_rank = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    torch.distributed.init_process_group("nccl" if device_name == "cuda" else "gloo")
    return torch.distributed.get_rank(), world, device


def share_of_rows(batch, rank, world):
    if batch < world:
        raise SystemExit(f"a run's batch ({batch}) is smaller than WORLD_SIZE ({world}): every process needs a row")
    return range(rank * batch // world, (rank + 1) * batch // world)


def sum_over_processes(loss_sum, weight_sum, world):
    """The whole batch's weighted loss sum and loss weight, as Python floats."""
    totals = torch.stack([loss_sum.detach(), weight_sum]).double()
    if world > 1:
        torch.distributed.all_reduce(totals)
    return float(totals[0]), float(totals[1])


# ---------------------------------------------------------------------------------------------
# One run: its model, optimizer and carried state; one training step is forward, loss, backward,
# clipping, learning rate, optimizer step.
# ---------------------------------------------------------------------------------------------
class Run:
    def __init__(self, config, task, device, rank, world):
        self.config = config
        self.label = config["label"]
        self.task = task
        self.device = device
        self.world = world
        self.rows = share_of_rows(config["batch"], rank, world)
        shape = (config["cell"], task.input_size, config["hiddenSize"], config["numLayers"], task.output_size)
        tricks = (config["bidirectional"], config["residual"], config["norm"])
        if uses_layers(config):
            # One module per layer: a torch module, or a cell loop for a norm and recurrent dropout.
            loop = config["norm"] != "none" or config["recurrentDropout"] > 0
            net = LayeredNet(*shape, *tricks, loop, config["seqLen"])
            if config["norm"] == "batch" and world > 1:
                raise SystemExit(f"run {config['label']}: batch normalisation's statistics are over the whole batch; train it in one process (without torchrun)")
        else:
            net = RecurrentNet(*shape)
        self.layered = uses_layers(config)
        slots = parameter_slots(*shape, config["bidirectional"], config["norm"])
        weights = WEIGHTS.get(config["id"]) or initial_weights(config["seed"], slots, config["hiddenSize"])
        load_weights(net, weights, slots)
        net.to(device)
        self.params = list(net.parameters())
        self.net = net
        self.model = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
        self.optimizer = make_optimizer(self.params, config["optimizer"])
        self.plateau = Plateau(self.optimizer, config["plateau"]) if config.get("plateau") else None
        self.pruning = Pruning(net, config["prune"]) if config["prune"]["kind"] != "none" else None
        self.state = None
        self.loss = None

    def train_step(self, step, batches):
        """Training step 'step' (1-based); returns the loss of the whole batch's window."""
        config = self.config
        bptt = config["bptt"]
        plan = window_plan(bptt, config["seqLen"], step - 1)
        # Runs of one window shape see the same data, as the runs of one group do in the app.
        key = (config["seqLen"], config["batch"], config["head"], plan["episode"], plan["t0"], plan["score_from"])
        if key not in batches:
            batches[key] = training_batch(self.task, config, plan, self.rows, self.device)
        x, target, weight = batches[key]

        carry_at = bptt["k1"] if bptt["kind"] == "truncated" else config["seqLen"]
        masks = None
        if self.layered:
            masks = step_masks(config, step, self.net.widths, config["seqLen"], config["batch"], self.rows, self.device)
        y, carried = self.model(x, self.state if plan["carry"] else None, carry_at, masks)
        self.state = detach_state(carried)
        loss_sum = weighted_loss_sum(self.task.loss, y, target, weight)
        total_loss, total_weight = sum_over_processes(loss_sum, weight.sum(), self.world)
        scale = 1 / total_weight if total_weight > 0 else 0.0

        self.optimizer.zero_grad(set_to_none=True)
        (loss_sum * (scale * self.world)).backward()
        if self.pruning:
            self.pruning.mask_gradients()
        clip_gradients(self.params, config["clip"])
        rate = learning_rate(config["optimizer"]["lr"], config["schedule"], step)
        for group in self.optimizer.param_groups:
            group["lr"] = self.plateau.rate(rate) if self.plateau else rate
        self.optimizer.step()
        if self.pruning:
            self.pruning.after_update(step)
        self.loss = total_loss * scale
        return self.loss

    def validation_loss(self, cache):
        """The validation loss after this step's update; batches shared by runs of one window shape."""
        config = self.config
        key = (config["seqLen"], config["batch"], config["head"])
        if key not in cache:
            cache[key] = validation_batches(self.task, config, self.rows, self.device)
        return validation_loss(self.net, cache[key], config["seqLen"], self.task.loss, self.world)


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------
def parse_args():
    budget = EXPERIMENT["budget"]
    parser = argparse.ArgumentParser(description=f"Train the experiment \"{EXPERIMENT['name']}\" exported from RNN Playground.")
    parser.add_argument("--steps", type=int, default=budget if budget > 0 else 200,
                        help="training steps (default: the experiment's budget, or 200 without one)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where to train (default: cpu)")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: torch sees no CUDA device here")
    return args


def main():
    args = parse_args()
    rank, world, device = setup_processes(args.device)
    task = make_task(EXPERIMENT["task"])
    runs = [Run(config, task, device, rank, world) for config in EXPERIMENT["runs"]]
    val_cache = {}
    for step in range(1, args.steps + 1):
        batches = {}
        for run in runs:
            loss = run.train_step(step, batches)
            if rank == 0:
                print(f"step {step} run {run.label} loss {loss!r}", flush=True)
        if is_eval_step(step):
            for run in runs:
                run.val_loss = run.validation_loss(val_cache)
                if rank == 0:
                    print(f"step {step} run {run.label} val_loss {run.val_loss!r}", flush=True)
        if plateau_decides(step):
            for run in runs:
                if run.plateau:
                    run.plateau.step(run.val_loss if evaluates() else run.loss)
    if world > 1:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
`;
