// Reduce-on-plateau's part of a run's learning rate, shared by the optimizer (which trains at it)
// and the plateau kernel (which reports it and decides the next reductions). The state of run r is
// plateau[r * PLATEAU_STATE ..]: best, bad evaluations, cooldown left, scale. The rate is the
// schedule's rate times the scale, floored at min_lr, never above the schedule's rate: the float32
// twin of plateauLearningRate in src/training/plateau.ts.

const PLATEAU_ON: u32 = 1u;
const PLATEAU_MAX: u32 = 2u;     // mode max (else min)
const PLATEAU_ABS: u32 = 4u;     // threshold mode abs (else rel)
const PLATEAU_DECIDE: u32 = 8u;  // this step makes a decision (an evaluation, or every step on the training loss)
const PLATEAU_STATE: u32 = 4u;
const PLATEAU_SCALE: u32 = 3u;

fn plateau_lr(rate: f32, scale: f32, min_lr: f32) -> f32 {
  return min(rate, max(rate * scale, min_lr));
}
