package dev.r1.reward.code;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Code execution reward: runs the completion's last fenced code block (Python, or Java through the
 * single-file source launcher) against test cases in a {@link Sandbox}; the reward is the fraction
 * of tests passed.
 *
 * <p>Tests come from metadata {@code tests} or the reference (JSON): a list of {@code {"input":
 * stdin, "output": expected stdout}} (compared line by line, trailing whitespace ignored) or of
 * {@code {"assert": "assert f(2) == 4"}} (Python only: the solution then the assert run in one
 * process, which must finish cleanly), or {@code {"inputs": [...], "outputs": [...]}}. Each test is
 * a fresh process. When no test passed, the status says why: {@code TIMEOUT} (wall or CPU limit) or
 * {@code ERROR} (crash, memory, output cap, sandbox violation), with the first reason; plain wrong
 * answers are an OK 0.
 */
public final class CodeReward implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS =
      Set.of(
          "language",
          "cpu_seconds",
          "wall_seconds",
          "memory_mb",
          "max_output_kb",
          "max_processes",
          "stop_on_timeout");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HARNESS = loadHarness();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Supported languages. */
  public enum Language {
    PYTHON,
    JAVA
  }

  private final Sandbox sandbox;
  private final Language defaultLanguage;
  private final SandboxLimits limits;
  private final boolean stopOnTimeout;
  private final String python;

  public CodeReward(
      Sandbox sandbox, Language language, SandboxLimits limits, boolean stopOnTimeout) {
    this.sandbox = sandbox;
    this.defaultLanguage = language;
    this.limits = limits;
    this.stopOnTimeout = stopOnTimeout;
    this.python = findPython();
  }

  /** From spec params (defaults: python, 5 s CPU, 10 s wall, 512 MB, 64 KB output, 32 procs). */
  public static CodeReward from(RewardParams p) {
    p.requireOnly(PARAMS);
    String lang = p.getChoice("language", "python", Set.of("python", "java"));
    SandboxLimits d = SandboxLimits.defaults();
    int cpu = positive(p, "cpu_seconds", d.cpuSeconds());
    double wall = p.getDouble("wall_seconds", d.wallMillis() / 1000.0);
    if (wall <= 0) {
      throw p.invalid("wall_seconds", "must be > 0, got " + wall);
    }
    long mem = positive(p, "memory_mb", (int) (d.memoryBytes() >> 20)) * (1L << 20);
    int out = positive(p, "max_output_kb", d.maxOutputBytes() >> 10) << 10;
    int procs = positive(p, "max_processes", d.maxProcesses());
    SandboxLimits limits =
        new SandboxLimits(cpu, (long) (wall * 1000), mem, out, procs, d.maxFileBytes());
    return new CodeReward(
        Sandbox.detect(),
        lang.equals("java") ? Language.JAVA : Language.PYTHON,
        limits,
        p.getBoolean("stop_on_timeout", true));
  }

  private static int positive(RewardParams p, String key, int dflt) {
    int v = p.getInt(key, dflt);
    if (v <= 0) {
      throw p.invalid(key, "must be > 0, got " + v);
    }
    return v;
  }

  @Override
  public String name() {
    return "code";
  }

  /** One test case: stdin/expected stdout, or a Python assert snippet. */
  record TestCase(String input, String output, String assertion) {}

  @Override
  public RewardResult score(RewardInput in) {
    Language lang = defaultLanguage;
    List<TestCase> tests = tests(in);
    if (tests.isEmpty()) {
      throw new IllegalArgumentException("no test cases (metadata.tests or reference)");
    }
    String code = extractCode(in.completion(), lang);
    if (code == null) {
      return RewardResult.ok(0.0, "no ```" + lang.name().toLowerCase() + " code block");
    }
    int passed = 0;
    String firstTimeout = null;
    String firstError = null;
    try (Sandbox.Workspace ws = sandbox.newWorkspace()) {
      if (lang == Language.PYTHON) {
        ws.write("harness.py", HARNESS);
        ws.write("solution.py", code);
      } else {
        ws.write("Main.java", code);
      }
      for (int i = 0; i < tests.size(); i++) {
        TestCase t = tests.get(i);
        String verdict = runOne(ws, lang, t, i);
        if (verdict == null) {
          passed++;
        } else if (verdict.startsWith("TIMEOUT")) {
          firstTimeout = firstTimeout == null ? "test " + i + ": " + verdict : firstTimeout;
          if (stopOnTimeout) {
            break;
          }
        } else if (!verdict.startsWith("WRONG")) {
          firstError = firstError == null ? "test " + i + ": " + verdict : firstError;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("sandbox I/O failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return RewardResult.timeout("interrupted");
    }
    String summary = passed + "/" + tests.size() + " tests passed";
    if (passed == 0 && firstTimeout != null) {
      return RewardResult.timeout(firstTimeout);
    }
    if (passed == 0 && firstError != null) {
      return RewardResult.error(firstError);
    }
    String why = firstTimeout != null ? firstTimeout : firstError;
    return RewardResult.ok(
        passed / (double) tests.size(), why == null ? summary : summary + "; " + why);
  }

  /** Null when the test passed, else "TIMEOUT: ...", "WRONG: ..." or another reason. */
  private String runOne(Sandbox.Workspace ws, Language lang, TestCase t, int index)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    String stdin = t.input();
    SandboxLimits l = limits;
    String nonce = null;
    if (lang == Language.PYTHON) {
      cmd.addAll(List.of(python, "-I", "-B", "harness.py"));
      if (t.assertion() != null) {
        nonce = HexFormat.of().formatHex(nonce16());
        ws.write("test_" + index + ".py", t.assertion());
        cmd.addAll(List.of("assert", "solution.py", "test_" + index + ".py"));
        stdin = nonce + "\n";
      } else {
        cmd.addAll(List.of("stdio", "solution.py"));
      }
    } else {
      if (t.assertion() != null) {
        return "ERROR: assert tests are Python only";
      }
      long heapMb = Math.max(16, limits.memoryBytes() >> 20);
      cmd.addAll(
          List.of(
              javaBinary(),
              "-Xmx" + heapMb + "m",
              "-Xss8m",
              "-XX:ReservedCodeCacheSize=64m",
              "-XX:CompressedClassSpaceSize=64m",
              "-XX:MaxMetaspaceSize=128m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-XX:-UsePerfData",
              "-Djava.io.tmpdir=.",
              "Main.java"));
      // the launcher compiles the source in-process: allow for it on top of the solution's limits
      l =
          new SandboxLimits(
              limits.cpuSeconds() + 3,
              limits.wallMillis() + 4_000,
              limits.memoryBytes() + (768L << 20),
              limits.maxOutputBytes(),
              limits.maxProcesses() + 32,
              limits.maxFileBytes());
    }
    Sandbox.Execution ex = sandbox.run(ws, cmd, stdin, l);
    switch (ex.outcome()) {
      case TIMEOUT:
        return "TIMEOUT: wall time limit " + l.wallMillis() + " ms exceeded";
      case OUTPUT_LIMIT:
        return "ERROR: output exceeded " + l.maxOutputBytes() + " bytes";
      default:
        break;
    }
    if (ex.exitCode() == 128 + 24 || ex.exitCode() == -24) {
      return "TIMEOUT: CPU time limit " + l.cpuSeconds() + " s exceeded";
    }
    if (ex.exitCode() != 0) {
      return "ERROR: exit " + ex.exitCode() + ": " + lastLine(ex.stderr());
    }
    if (nonce != null) {
      return ex.stdout().endsWith("\n" + nonce + "\n")
          ? null
          : "WRONG: assert harness did not finish";
    }
    return sameOutput(ex.stdout(), t.output()) ? null : "WRONG: output differs";
  }

  private static byte[] nonce16() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  static boolean sameOutput(String actual, String expected) {
    return normalize(actual).equals(normalize(expected == null ? "" : expected));
  }

  private static String normalize(String s) {
    String[] lines = s.replace("\r\n", "\n").split("\n", -1);
    StringBuilder b = new StringBuilder();
    for (String line : lines) {
      b.append(line.stripTrailing()).append('\n');
    }
    return b.toString().strip();
  }

  private static String lastLine(String stderr) {
    String s = stderr.strip();
    int nl = s.lastIndexOf('\n');
    String line = nl >= 0 ? s.substring(nl + 1) : s;
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /**
   * The last fenced block tagged with the language (```python / ```py, ```java), else the last
   * untagged fenced block, searched after {@code </think>} when there is one. Null when none.
   */
  static String extractCode(String completion, Language lang) {
    int think = completion.lastIndexOf("</think>");
    String s = think >= 0 ? completion.substring(think + 8) : completion;
    String tagged = null;
    String untagged = null;
    int i = 0;
    while (true) {
      int open = s.indexOf("```", i);
      if (open < 0) {
        break;
      }
      int eol = s.indexOf('\n', open + 3);
      if (eol < 0) {
        break;
      }
      int close = s.indexOf("```", eol + 1);
      if (close < 0) {
        break;
      }
      String tag = s.substring(open + 3, eol).strip().toLowerCase();
      String body = s.substring(eol + 1, close);
      boolean match =
          lang == Language.PYTHON
              ? tag.equals("python") || tag.equals("py") || tag.equals("python3")
              : tag.equals("java");
      if (match) {
        tagged = body;
      } else if (tag.isEmpty()) {
        untagged = body;
      }
      i = close + 3;
    }
    return tagged != null ? tagged : untagged;
  }

  static List<TestCase> tests(RewardInput in) {
    Object raw = in.metadata().get("tests");
    String where = "metadata.tests";
    if (raw == null && in.reference() != null && !in.reference().isBlank()) {
      try {
        raw = JSON.readValue(in.reference(), new TypeReference<Object>() {});
      } catch (IOException e) {
        throw new IllegalArgumentException("reference must be JSON test cases: " + e.getMessage());
      }
      where = "reference";
    }
    if (raw instanceof Map<?, ?> m && m.containsKey("tests")) {
      raw = m.get("tests");
      where = where + ".tests";
    }
    List<TestCase> out = new ArrayList<>();
    if (raw instanceof Map<?, ?> m && m.get("inputs") instanceof List<?> ins) {
      if (!(m.get("outputs") instanceof List<?> outs) || outs.size() != ins.size()) {
        throw new IllegalArgumentException(where + ".outputs must be a list as long as inputs");
      }
      for (int i = 0; i < ins.size(); i++) {
        out.add(new TestCase(String.valueOf(ins.get(i)), String.valueOf(outs.get(i)), null));
      }
      return out;
    }
    if (!(raw instanceof List<?> list)) {
      throw new IllegalArgumentException(where + " must be a list of test cases, got " + raw);
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> t)) {
        throw new IllegalArgumentException(where + "[" + i + "] must be an object");
      }
      if (t.get("assert") instanceof String a) {
        out.add(new TestCase(null, null, a));
      } else if (t.get("output") instanceof String o) {
        Object input = t.get("input");
        out.add(new TestCase(input == null ? "" : String.valueOf(input), o, null));
      } else {
        throw new IllegalArgumentException(
            where + "[" + i + "] needs \"output\" (with \"input\") or \"assert\"");
      }
    }
    return out;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String findPython() {
    for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
      if (java.nio.file.Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return "python3";
  }

  private static String loadHarness() {
    try (InputStream in = CodeReward.class.getResourceAsStream("harness.py")) {
      if (in == null) {
        throw new IllegalStateException("harness.py resource missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
