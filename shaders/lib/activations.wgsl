// Activations written to stay finite for any f32 input (no exp overflow to inf/inf).

fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

fn tanh_stable(x: f32) -> f32 {
  let a = abs(x);
  var t: f32;
  if (a < 0.0625) {
    // Taylor series: avoids the cancellation in 1 - e for tiny |x|.
    let a2 = a * a;
    t = a * (1.0 - a2 * (1.0 / 3.0 - a2 * (2.0 / 15.0 - a2 * (17.0 / 315.0))));
  } else {
    let e = exp(-2.0 * a);
    t = (1.0 - e) / (1.0 + e);
  }
  return select(-t, t, x >= 0.0);
}
