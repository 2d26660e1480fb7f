package dev.r1.sampler.policy;

/** A batch's hold on a loaded policy version; closing it lets a retired version be freed. */
public final class PolicyLease implements AutoCloseable {

  private final LoadedPolicy policy;
  private boolean closed;

  PolicyLease(LoadedPolicy policy) {
    this.policy = policy;
  }

  public LoadedPolicy policy() {
    return policy;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      policy.release();
    }
  }
}
