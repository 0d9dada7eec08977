// DrawScheduler: each chart drawn once per frame at most, a per-frame budget, and rests after
// frames that took long (script time, or the raster time seen as a late next frame).
import { describe, expect, it } from 'vitest';
import { DrawScheduler } from './draw-scheduler';

function fakeFrames() {
  let time = 0;
  let queued: (() => void)[] = [];
  return {
    clock: { requestFrame: (cb: () => void) => queued.push(cb), now: () => time },
    spend: (ms: number) => (time += ms),
    /** Runs one animation frame `gap` ms after the last. */
    tick(gap = 16) {
      time += gap;
      const run = queued;
      queued = [];
      run.forEach((cb) => cb());
    },
  };
}

describe('DrawScheduler', () => {
  it('draws every waiting chart in one frame while under budget, each once', () => {
    const frames = fakeFrames();
    const scheduler = new DrawScheduler(8, frames.clock);
    const drawn: string[] = [];
    const job = (name: string) => ({ draw: () => drawn.push(name) });
    const a = job('a');
    const b = job('b');
    scheduler.request(a);
    scheduler.request(b);
    scheduler.request(a);
    frames.tick();
    expect(drawn).toEqual(['a', 'b']);
    frames.tick();
    expect(drawn).toEqual(['a', 'b']);
  });

  it('stops a frame when the budget is spent and goes on in later frames', () => {
    const frames = fakeFrames();
    const scheduler = new DrawScheduler(8, frames.clock);
    const drawn: number[] = [];
    for (let i = 0; i < 4; i++) scheduler.request({ draw: () => { drawn.push(i); frames.spend(5); } });
    frames.tick();
    expect(drawn).toEqual([0, 1]);
    for (let k = 0; k < 4; k++) frames.tick();
    expect(drawn).toEqual([0, 1, 2, 3]);
  });

  it('rests after a frame of long script for as long as it drew', () => {
    const frames = fakeFrames();
    const scheduler = new DrawScheduler(8, frames.clock);
    let draws = 0;
    const slow = { draw: () => { draws++; frames.spend(40); } };
    scheduler.request(slow);
    frames.tick(); // draws at 16 until 56: rest until 96
    scheduler.request(slow);
    frames.tick(); // 72
    frames.tick(); // 88
    expect(draws).toBe(1);
    frames.tick(); // 104
    expect(draws).toBe(2);
  });

  it('rests after a frame whose rendering made the next frame late', () => {
    const frames = fakeFrames();
    const scheduler = new DrawScheduler(8, frames.clock);
    let draws = 0;
    const job = { draw: () => draws++ };
    scheduler.request(job);
    frames.tick(); // draws at 16 (no script time)
    scheduler.request(job);
    frames.tick(120); // at 136: the drawing frame took 120 ms, 100 over: rest until 236
    expect(draws).toBe(1);
    for (let t = 152; t < 236; t += 16) frames.tick();
    expect(draws).toBe(1);
    frames.tick();
    frames.tick();
    expect(draws).toBe(2);
  });

  it('a chart that asks again while drawing is drawn in a later frame, not twice in one', () => {
    const frames = fakeFrames();
    const scheduler = new DrawScheduler(8, frames.clock);
    let draws = 0;
    const job = { draw: () => { draws++; scheduler.request(job); } };
    scheduler.request(job);
    frames.tick();
    expect(draws).toBe(1);
    frames.tick();
    expect(draws).toBe(2);
  });

  it('cancel drops a waiting chart', () => {
    const frames = fakeFrames();
    const scheduler = new DrawScheduler(8, frames.clock);
    let draws = 0;
    const job = { draw: () => draws++ };
    scheduler.request(job);
    scheduler.cancel(job);
    frames.tick();
    expect(draws).toBe(0);
    expect(scheduler.pending).toBe(0);
  });
});
