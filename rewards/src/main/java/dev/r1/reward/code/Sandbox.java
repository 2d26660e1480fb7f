package dev.r1.reward.code;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an untrusted command in a fresh work directory with limits. Layers, strongest first:
 *
 * <ul>
 *   <li>Namespaces ({@code unshare --pid --net --mount --fork --kill-child}, when it works here):
 *       no network (an empty net namespace), a pid namespace whose init is the command, so when it
 *       exits or is killed the kernel kills every process it left behind (fork bombs, daemons), and
 *       private tmpfs over {@code /tmp}, {@code /var/tmp} and {@code /dev/shm}.
 *   <li>A fresh non-root uid per run ({@code setpriv}, when we are root): RLIMIT_NPROC is enforced
 *       (it is not for root), and the rest of the file system is read-only to it by permissions.
 *   <li>{@code prlimit}: CPU seconds, address space, processes, file size, open files, no core.
 *   <li>Here in Java: a wall-clock limit that kills the whole process tree; stdout/stderr go to
 *       files outside the work dir (RLIMIT_FSIZE bounds them), polled, and the run is killed once
 *       either passes the output cap.
 * </ul>
 *
 * Without namespaces (not root, or unshare refused) the run falls back to the rlimits, the uid (if
 * root) and tree killing; the Python harness still blocks sockets and writes outside the work dir,
 * but a Java solution then has network access. {@link #isolation()} says which layer is in force.
 */
public final class Sandbox {

  private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

  /** What isolation is available on this machine. */
  public enum Isolation {
    /** pid + net + mount namespaces, own uid, rlimits. */
    NAMESPACES,
    /** own uid and rlimits (root without unshare). */
    UID_AND_RLIMITS,
    /** rlimits only (not root). */
    RLIMITS_ONLY
  }

  /** How a run ended. */
  public enum Outcome {
    EXITED,
    TIMEOUT,
    OUTPUT_LIMIT
  }

  /**
   * The result of one run.
   *
   * @param exitCode the exit status (128 + signal when killed by a signal), -1 when killed by us
   * @param stdout captured standard output (at most the cap)
   * @param stderr captured standard error (at most the cap)
   * @param outcome how it ended
   * @param millis wall time
   */
  public record Execution(
      int exitCode, String stdout, String stderr, Outcome outcome, long millis) {}

  private static final String NS_SCRIPT =
      """
      w="$1"; u="$2"; shift 2
      for d in /tmp /var/tmp /dev/shm; do
        if [ -d "$d" ]; then mount -t tmpfs -o size=4m,mode=1777 tmpfs "$d" || exit 97; fi
      done
      if [ ! -d "$w" ]; then
        mkdir -p "$w" && mount --no-canonicalize --bind /proc/self/cwd "$w" || exit 98
      fi
      cd "$w" || exit 99
      # bash stays the namespace's init: it reports a signal death as 128+signal (unshare cannot
      # re-raise SIGXCPU), and when it exits the kernel kills whatever the command left behind
      if [ "$u" = "-" ]; then "$@"; exit $?; fi
      setpriv --reuid="$u" --regid="$u" --clear-groups --no-new-privs -- "$@"
      exit $?
      """;

  private static final String PLAIN_SCRIPT =
      """
      w="$1"; u="$2"; shift 2
      cd "$w" || exit 99
      if [ "$u" = "-" ]; then exec "$@"; fi
      exec setpriv --reuid="$u" --regid="$u" --clear-groups --no-new-privs -- "$@"
      """;

  private static final AtomicInteger NEXT_UID = new AtomicInteger();
  private static final int UID_BASE = 210_000;
  private static volatile Sandbox detected;

  private final Isolation isolation;
  private final boolean root;
  private final boolean hasPrlimit;

  Sandbox(Isolation isolation, boolean root, boolean hasPrlimit) {
    this.isolation = isolation;
    this.root = root;
    this.hasPrlimit = hasPrlimit;
  }

  /** Probes this machine once (unshare, setpriv, prlimit, uid) and caches the answer. */
  public static Sandbox detect() {
    Sandbox s = detected;
    if (s == null) {
      synchronized (Sandbox.class) {
        if (detected == null) {
          detected = probe();
          LOG.info("code sandbox isolation: {}", detected.isolation);
        }
        s = detected;
      }
    }
    return s;
  }

  public Isolation isolation() {
    return isolation;
  }

  private static Sandbox probe() {
    boolean root = false;
    try {
      root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (Exception | Error e) {
      // not Linux, or no unix view: treat as unprivileged
    }
    boolean prlimit = works(List.of("prlimit", "--cpu=5", "true"));
    boolean setpriv =
        root
            && works(
                List.of(
                    "setpriv",
                    "--reuid=" + UID_BASE,
                    "--regid=" + UID_BASE,
                    "--clear-groups",
                    "true"));
    boolean ns =
        setpriv
            && works(
                List.of(
                    "unshare",
                    "--pid",
                    "--net",
                    "--mount",
                    "--fork",
                    "--kill-child",
                    "--mount-proc",
                    "true"));
    Isolation iso =
        ns ? Isolation.NAMESPACES : setpriv ? Isolation.UID_AND_RLIMITS : Isolation.RLIMITS_ONLY;
    return new Sandbox(iso, root, prlimit);
  }

  private static boolean works(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A fresh work directory, owned by the uid the run will get. Caller deletes it. */
  public Workspace newWorkspace() throws IOException {
    Path dir = Files.createTempDirectory("r1-code-");
    int uid = usesUid() ? UID_BASE + Math.floorMod(NEXT_UID.getAndIncrement(), 10_000) : -1;
    return new Workspace(dir, uid);
  }

  private boolean usesUid() {
    return root && isolation != Isolation.RLIMITS_ONLY;
  }

  /** A run's directory and uid. */
  public static final class Workspace implements AutoCloseable {
    private final Path dir;
    private final int uid;

    Workspace(Path dir, int uid) throws IOException {
      this.dir = dir;
      this.uid = uid;
      chown(dir);
    }

    public Path dir() {
      return dir;
    }

    /** Writes a file into the workspace, readable by the run. */
    public Path write(String name, String content) throws IOException {
      Path f = dir.resolve(name);
      Files.writeString(f, content, StandardCharsets.UTF_8);
      chown(f);
      return f;
    }

    private void chown(Path p) throws IOException {
      if (uid >= 0) {
        Files.setAttribute(p, "unix:uid", uid);
        Files.setAttribute(p, "unix:gid", uid);
      }
    }

    /** Deletes the directory and everything the run left in it. */
    @Override
    public void close() {
      try (Stream<Path> walk = Files.walk(dir)) {
        List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
        for (Path p : all) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            p.toFile().setWritable(true);
            p.getParent().toFile().setWritable(true);
            p.getParent().toFile().setExecutable(true);
            Files.deleteIfExists(p);
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not delete sandbox dir {}: {}", dir, e.toString());
      }
    }
  }

  /**
   * Runs {@code command} in the workspace with {@code stdin} and the limits. Never throws for what
   * the command does; returns when it exits or is killed (within the wall limit plus cleanup). On
   * interrupt the tree is killed and the interrupt re-raised.
   */
  public Execution run(Workspace ws, List<String> command, String stdin, SandboxLimits limits)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (isolation == Isolation.NAMESPACES) {
      cmd.addAll(
          List.of(
              "unshare", "--pid", "--net", "--mount", "--fork", "--kill-child", "--mount-proc"));
    }
    cmd.add("bash");
    cmd.add("-c");
    cmd.add(isolation == Isolation.NAMESPACES ? NS_SCRIPT : PLAIN_SCRIPT);
    cmd.add("r1-sandbox");
    cmd.add(ws.dir().toString());
    cmd.add(ws.uid >= 0 ? Integer.toString(ws.uid) : "-");
    if (hasPrlimit) {
      cmd.add("prlimit");
      cmd.add("--cpu=" + limits.cpuSeconds() + ":" + (limits.cpuSeconds() + 1));
      cmd.add("--as=" + limits.memoryBytes());
      cmd.add("--fsize=" + limits.maxFileBytes());
      cmd.add("--nofile=256");
      cmd.add("--core=0");
      if (ws.uid >= 0) {
        cmd.add("--nproc=" + limits.maxProcesses());
      }
      cmd.add("--");
    }
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ws.dir().toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
    pb.environment().put("HOME", ws.dir().toString());
    pb.environment().put("TMPDIR", ws.dir().toString());
    pb.environment().put("LANG", "C.UTF-8");
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    pb.environment().put("PYTHONIOENCODING", "utf-8");
    Path outDir = Files.createTempDirectory("r1-code-out-");
    Path outFile = outDir.resolve("stdout");
    Path errFile = outDir.resolve("stderr");
    pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
    try {
      long start = System.nanoTime();
      Process p = pb.start();
      Thread feeder = new Thread(() -> feed(p.getOutputStream(), stdin), "sandbox-stdin");
      feeder.setDaemon(true);
      feeder.start();
      long deadline = start + limits.wallMillis() * 1_000_000L;
      boolean exited = false;
      boolean overflow = false;
      try {
        while (true) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          if (p.waitFor(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS)) {
            exited = true;
            break;
          }
          if (Files.size(outFile) > limits.maxOutputBytes()
              || Files.size(errFile) > limits.maxOutputBytes()) {
            overflow = true;
            break;
          }
        }
      } catch (InterruptedException e) {
        killTree(p);
        reapUser(ws.uid);
        throw e;
      }
      // kill on timeout/overflow; after a normal exit this catches anything left behind
      killTree(p);
      reapUser(ws.uid);
      long millis = (System.nanoTime() - start) / 1_000_000;
      overflow |=
          Files.size(outFile) > limits.maxOutputBytes()
              || Files.size(errFile) > limits.maxOutputBytes();
      Outcome outcome = overflow ? Outcome.OUTPUT_LIMIT : exited ? Outcome.EXITED : Outcome.TIMEOUT;
      int code = p.isAlive() ? -1 : p.exitValue();
      return new Execution(
          code,
          head(outFile, limits.maxOutputBytes()),
          head(errFile, limits.maxOutputBytes()),
          outcome,
          millis);
    } finally {
      Files.deleteIfExists(outFile);
      Files.deleteIfExists(errFile);
      Files.deleteIfExists(outDir);
    }
  }

  /** The first {@code max} bytes of a file, decoded as UTF-8. */
  private static String head(Path file, int max) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(max), StandardCharsets.UTF_8);
    }
  }

  private static void feed(OutputStream os, String stdin) {
    try (os) {
      if (stdin != null) {
        os.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the process closed stdin or died: nothing to feed
    }
  }

  /**
   * Kills the process and everything below it. With a pid namespace, killing the namespace's init
   * (the child of unshare) makes the kernel kill the rest; otherwise loop until no descendant is
   * left (rlimit-bounded).
   */
  static void killTree(Process p) {
    for (int round = 0; round < 100; round++) {
      List<ProcessHandle> desc = p.descendants().toList();
      if (desc.isEmpty()) {
        break;
      }
      p.children().forEach(ProcessHandle::destroyForcibly);
      desc.forEach(ProcessHandle::destroyForcibly);
      sleep(10);
    }
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills any process still running under the run's uid (orphans that escaped the tree). */
  static void reapUser(int uid) {
    if (uid < 0) {
      return;
    }
    String user = Integer.toString(uid);
    for (int round = 0; round < 50; round++) {
      List<ProcessHandle> left =
          ProcessHandle.allProcesses()
              .filter(h -> h.info().user().map(user::equals).orElse(false))
              .toList();
      if (left.isEmpty()) {
        return;
      }
      left.forEach(ProcessHandle::destroyForcibly);
      sleep(20);
    }
    LOG.warn("processes of sandbox uid {} still alive after cleanup", uid);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
