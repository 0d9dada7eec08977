// TrainingClock: counts only training time; stamps batches of steps evenly up to now.
import { describe, expect, it } from 'vitest';
import { TrainingClock } from './training-clock';

function fakeClock() {
  let ms = 0;
  const clock = new TrainingClock(() => ms);
  return { clock, advance: (by: number) => (ms += by) };
}

describe('TrainingClock', () => {
  it('runs only between start and stop', () => {
    const { clock, advance } = fakeClock();
    advance(5000);
    expect(clock.seconds()).toBe(0);
    clock.start();
    advance(2000);
    clock.stop();
    advance(10_000);
    clock.start();
    advance(500);
    expect(clock.seconds()).toBe(2.5);
    expect(clock.running).toBe(true);
  });

  it('spreads a batch of steps evenly between the last stamp and now', () => {
    const { clock, advance } = fakeClock();
    clock.start();
    advance(4000);
    expect(clock.stamp([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    advance(1000);
    expect(clock.stamp([5, 6])).toEqual([4.5, 5]);
  });

  it('never goes back, even for steps that arrive after a pause', () => {
    const { clock, advance } = fakeClock();
    clock.start();
    advance(1000);
    clock.stamp([1]);
    clock.stop();
    advance(9000);
    expect(clock.stamp([2])).toEqual([1]);
  });

  it('reset starts from zero and keeps running', () => {
    const { clock, advance } = fakeClock();
    clock.start();
    advance(3000);
    clock.stamp([1, 2, 3]);
    clock.reset();
    advance(1000);
    expect(clock.stamp([1])).toEqual([1]);
  });
});
