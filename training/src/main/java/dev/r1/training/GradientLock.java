package dev.r1.training;

import java.util.concurrent.locks.ReentrantLock;

/**
 * DJL allows one {@code GradientCollector} per JVM: every trainer in a JVM (the trainer-service's
 * GRPO updates, the distill-service's SFT runs, when the launcher runs both in one process) holds
 * this lock while it collects gradients.
 */
public final class GradientLock {

  /** The JVM-wide lock. */
  public static final ReentrantLock LOCK = new ReentrantLock();

  private GradientLock() {}
}
