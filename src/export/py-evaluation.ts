/**
 * Python source of the exported script's validation pass and reduce-on-plateau: the task's fixed
 * validation batches (src/training/eval-batches.ts) evaluated after the update at every evalEvery-th
 * step, and torch.optim.lr_scheduler.ReduceLROnPlateau watching the validation loss (or the
 * training loss every step when the experiment does not evaluate), as src/training/plateau.ts
 * meets the schedule. Text only; tests run it.
 */

export const PY_EVALUATION = String.raw`
# ---------------------------------------------------------------------------------------------
# Validation (src/training/eval-batches.ts): after the update of every evalEvery-th step, episodes
# 0 .. VAL_BATCHES - 1 of the task's validation split, each one window of seqLen steps from t = 0
# and a zero state, scored as training scores (every step, or the last), no dropout. The
# validation loss is the mean over those batches of each batch's weighted mean loss.
# ---------------------------------------------------------------------------------------------
def evaluates():
    return EXPERIMENT["evalEvery"] > 0 and VAL_BATCHES > 0


def is_eval_step(step):
    return evaluates() and step % EXPERIMENT["evalEvery"] == 0


def validation_batches(task, config, rows, device):
    plan = {"episode": 0, "t0": 0, "carry": False, "score_from": 0}
    return [training_batch(task, config, {**plan, "episode": e}, rows, device, "val") for e in range(VAL_BATCHES)]


def validation_loss(net, batches, seq_len, loss_kind, world):
    total = 0.0
    net.eval()  # batch norm: the running statistics
    with torch.no_grad():
        for x, target, weight in batches:
            y, _ = net(x, None, seq_len)
            loss_sum, weight_sum = sum_over_processes(weighted_loss_sum(loss_kind, y, target, weight), weight.sum(), world)
            total += loss_sum / weight_sum if weight_sum > 0 else 0.0
    net.train()
    return total / len(batches)


# ---------------------------------------------------------------------------------------------
# Reduce-on-plateau (src/training/plateau.ts): torch's ReduceLROnPlateau decides, at every
# evaluation on the validation loss (every step on the training loss when nothing is evaluated).
# The app keeps the reductions as a scale on the schedule: a run trains at
# min(s, max(s * scale, minLr)), s the schedule's rate, and each reduction multiplies scale by
# factor; with a constant schedule that is torch's learning rate exactly.
# ---------------------------------------------------------------------------------------------
def plateau_decides(step):
    return not evaluates() or is_eval_step(step)


class Plateau:
    def __init__(self, optimizer, p):
        self.p = p
        self.optimizer = optimizer
        self.scale = 1.0
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=p["mode"], factor=p["factor"], patience=p["patience"], threshold=p["threshold"],
            threshold_mode=p["thresholdMode"], cooldown=p["cooldown"], min_lr=p["minLr"], eps=1e-8)

    def rate(self, schedule_rate):
        return min(schedule_rate, max(schedule_rate * self.scale, self.p["minLr"]))

    def step(self, value):
        """One decision on 'value'; the optimizer's rate is this step's, so torch reduces from it."""
        before = self.optimizer.param_groups[0]["lr"]
        self.scheduler.step(value)
        if self.optimizer.param_groups[0]["lr"] < before:
            self.scale *= self.p["factor"]
`;
