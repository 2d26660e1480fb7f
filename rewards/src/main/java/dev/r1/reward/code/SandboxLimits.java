package dev.r1.reward.code;

/**
 * Resource limits of one sandboxed run.
 *
 * @param cpuSeconds CPU time (RLIMIT_CPU; SIGXCPU then SIGKILL)
 * @param wallMillis wall-clock time, after which the whole process tree is killed
 * @param memoryBytes address space (RLIMIT_AS); for Java the heap gets this and the address-space
 *     limit adds the JVM's own overhead
 * @param maxOutputBytes stdout/stderr read at most this many bytes each; more kills the run
 * @param maxProcesses processes and threads of the sandbox user (RLIMIT_NPROC, enforced because the
 *     run gets its own non-root uid)
 * @param maxFileBytes largest file it may write (RLIMIT_FSIZE)
 */
public record SandboxLimits(
    int cpuSeconds,
    long wallMillis,
    long memoryBytes,
    int maxOutputBytes,
    int maxProcesses,
    long maxFileBytes) {

  public SandboxLimits {
    if (cpuSeconds <= 0 || wallMillis <= 0 || memoryBytes <= 0 || maxOutputBytes <= 0) {
      throw new IllegalArgumentException("sandbox limits must be positive");
    }
    if (maxProcesses <= 0 || maxFileBytes <= 0) {
      throw new IllegalArgumentException("sandbox limits must be positive");
    }
  }

  /** 5 s CPU, 10 s wall, 512 MiB, 64 KiB output, 32 processes, 16 MiB files. */
  public static SandboxLimits defaults() {
    return new SandboxLimits(5, 10_000, 512L << 20, 64 << 10, 32, 16L << 20);
  }
}
