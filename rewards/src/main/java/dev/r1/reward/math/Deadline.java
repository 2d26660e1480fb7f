package dev.r1.reward.math;

/** A wall-clock budget checked inside loops; throws {@link Exceeded} once spent. */
final class Deadline {

  /** Thrown when a bounded computation runs past its deadline. */
  static final class Exceeded extends RuntimeException {
    Exceeded(String what) {
      super(what, null, false, false);
    }
  }

  private final long endNanos;
  private int ticks;

  private Deadline(long endNanos) {
    this.endNanos = endNanos;
  }

  static Deadline after(long millis) {
    return new Deadline(System.nanoTime() + millis * 1_000_000L);
  }

  static Deadline none() {
    return new Deadline(Long.MAX_VALUE);
  }

  /** Cheap check: reads the clock every 64 calls. */
  void tick() {
    if ((++ticks & 63) == 0) {
      check();
    }
  }

  void check() {
    if (endNanos != Long.MAX_VALUE && System.nanoTime() - endNanos > 0) {
      throw new Exceeded("time limit exceeded");
    }
  }
}
