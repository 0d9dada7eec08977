/**
 * Python source of the exported script's magnitude pruning (src/training/prune.ts): masks on every
 * weight_ih / weight_hh, applied to the gradients before clipping and to the weights after every
 * update, and recomputed from the weights' magnitudes at the steps the run's schedule prunes
 * (oneshot, or Zhu and Gupta's gradual cubic schedule). Text only; tests run it.
 */

export const PY_PRUNE = String.raw`
# ---------------------------------------------------------------------------------------------
# Pruning (src/training/prune.ts), as torch.nn.utils.prune.l1_unstructured per matrix: at a
# pruning step the round(sparsity * n) smallest |w| of each weight_ih / weight_hh (ties: the lower
# index first) get mask 0. The masks zero those weights' gradients before clipping and the
# weights themselves after every update, so pruned weights stay 0.
# ---------------------------------------------------------------------------------------------
def cubic_sparsity(p, t):
    if t >= p["end"]:
        return p["sparsity"]
    if t <= p["start"]:
        return 0
    left = 1 - (t - p["start"]) / (p["end"] - p["start"])
    return p["sparsity"] * (1 - left * left * left)


def prune_target(p, run_step):
    """The sparsity to prune to at the run's own step, or None when it does not prune then."""
    if p["kind"] == "oneshot":
        return p["sparsity"] if run_step == p["step"] else None
    if p["kind"] == "gradual":
        if run_step < p["start"] or run_step > p["end"]:
            return None
        return cubic_sparsity(p, run_step) if (run_step - p["start"]) % p["every"] == 0 or run_step == p["end"] else None
    return None


def round_half_even(x):
    f = math.floor(x)
    d = x - f
    if d > 0.5:
        return f + 1
    if d < 0.5:
        return f
    return f if f % 2 == 0 else f + 1


class Pruning:
    def __init__(self, net, p):
        self.p = p
        self.weights = [w for name, w in net.app_parameters().items() if name.startswith(("weight_ih", "weight_hh"))]
        self.masks = [torch.ones_like(w) for w in self.weights]

    def mask_gradients(self):
        for w, m in zip(self.weights, self.masks):
            if w.grad is not None:
                w.grad.mul_(m)

    def after_update(self, run_step):
        target = prune_target(self.p, run_step)
        with torch.no_grad():
            if target is not None:
                for w, m in zip(self.weights, self.masks):
                    w.mul_(m)
                    flat = w.flatten().tolist()
                    order = sorted(range(len(flat)), key=lambda i: (abs(flat[i]), i))
                    mask = torch.ones(len(flat), device=m.device)
                    mask[order[:min(len(flat), round_half_even(target * len(flat)))]] = 0
                    m.copy_(mask.view_as(m))
            for w, m in zip(self.weights, self.masks):
                w.mul_(m)
`;
