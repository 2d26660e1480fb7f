package dev.r1.reward.code;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs real solutions and sandbox escapes; each must end within its limits and leave nothing. */
class CodeSandboxTest {

  private static final String TESTS =
      "[{\"input\":\"2 3\\n\",\"output\":\"5\\n\"},{\"input\":\"10 -4\",\"output\":\"6\"}]";
  private static final CodeReward PY =
      CodeReward.from(
          RewardParams.of(Map.of("wall_seconds", 3, "cpu_seconds", 2, "memory_mb", 256)));

  private static String py(String code) {
    return "<think>\nok\n</think>\n```python\n" + code + "\n```";
  }

  private static RewardResult run(CodeReward r, String completion, String tests) {
    long t0 = System.nanoTime();
    RewardResult res = r.score(RewardInput.of(completion, tests));
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(8.0);
    return res;
  }

  @AfterEach
  void nothingLeftRunning() throws Exception {
    // no process of a sandbox uid and no sandbox dir survive a run
    Thread.sleep(50);
    if (Sandbox.detect().isolation() != Sandbox.Isolation.RLIMITS_ONLY) {
      assertThat(
              ProcessHandle.allProcesses()
                  .filter(h -> h.info().user().map(u -> u.matches("2[1-2]\\d{4}")).orElse(false))
                  .count())
          .isZero();
    }
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("r1-code-")).toList())
          .isEmpty();
    }
  }

  @Test
  void correctPythonSolutionPassesAllTests() {
    RewardResult r = run(PY, py("a, b = map(int, input().split())\nprint(a + b)"), TESTS);
    assertThat(r.status()).isEqualTo(RewardResult.Status.OK);
    assertThat(r.value()).isEqualTo(1.0);
  }

  @Test
  void rewardIsTheFractionOfTestsPassed() {
    RewardResult r = run(PY, py("a, b = map(int, input().split())\nprint(5)"), TESTS);
    assertThat(r.value()).as(r.detail()).isEqualTo(0.5);
  }

  @Test
  void assertStyleTestsRunAgainstTheSolution() {
    String tests =
        "[{\"assert\":\"assert add(2, 3) == 5\"},{\"assert\":\"assert add(1, 1) == 3\"}]";
    RewardResult r = run(PY, py("def add(a, b):\n    return a + b"), tests);
    assertThat(r.value()).isEqualTo(0.5);
    // exiting early cannot fake a pass: the harness never prints its nonce
    RewardResult cheat = run(PY, py("import os\nos._exit(0)"), tests);
    assertThat(cheat.value()).isZero();
  }

  @Test
  void infiniteLoopTimesOut() {
    RewardResult r = run(PY, py("while True:\n    pass"), TESTS);
    assertThat(r.status()).as(r.detail()).isEqualTo(RewardResult.Status.TIMEOUT);
    assertThat(r.detail()).contains("time limit");
  }

  @Test
  void sleepingForeverHitsTheWallLimit() {
    RewardResult r = run(PY, py("import time\ntime.sleep(100)"), TESTS);
    assertThat(r.status()).isEqualTo(RewardResult.Status.TIMEOUT);
    assertThat(r.detail()).contains("wall time");
  }

  @Test
  void forkBombIsContained() {
    String bomb =
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass";
    RewardResult r = run(PY, py(bomb), TESTS);
    assertThat(r.status()).isIn(RewardResult.Status.TIMEOUT, RewardResult.Status.ERROR);
    assertThat(r.value()).isZero();
  }

  @Test
  void allocatingTenGigabytesFails() {
    RewardResult r = run(PY, py("x = bytearray(10 * 1024 ** 3)\nprint(len(x))"), TESTS);
    assertThat(r.status()).isEqualTo(RewardResult.Status.ERROR);
    assertThat(r.detail()).contains("MemoryError");
  }

  @Test
  void writingOutsideTheWorkDirIsBlocked() throws Exception {
    Path target = Path.of("/tmp/r1-sandbox-escape-" + System.nanoTime());
    RewardResult r =
        run(
            PY,
            py("open('" + target + "', 'w').write('x')\nprint(5)"),
            "[{\"input\":\"\",\"output\":\"5\"}]");
    assertThat(r.status()).isEqualTo(RewardResult.Status.ERROR);
    assertThat(r.detail()).contains("PermissionError");
    assertThat(Files.exists(target)).isFalse();
    // inside its own dir it may write
    RewardResult ok =
        run(
            PY,
            py("open('scratch.txt', 'w').write('5')\nprint(open('scratch.txt').read())"),
            "[{\"input\":\"\",\"output\":\"5\"}]");
    assertThat(ok.value()).isEqualTo(1.0);
  }

  @Test
  void openingASocketFails() {
    String code =
        "import socket\ns = socket.create_connection(('1.1.1.1', 80), timeout=1)\nprint(5)";
    RewardResult r = run(PY, py(code), "[{\"input\":\"\",\"output\":\"5\"}]");
    assertThat(r.status()).isEqualTo(RewardResult.Status.ERROR);
    assertThat(r.detail()).containsAnyOf("network", "unreachable", "PermissionError");
  }

  @Test
  void hugeOutputIsCapped() {
    RewardResult r = run(PY, py("while True:\n    print('x' * 10000)"), TESTS);
    assertThat(r.status()).isEqualTo(RewardResult.Status.ERROR);
    assertThat(r.detail()).contains("output exceeded");
  }

  @Test
  void missingCodeBlockScoresZero() {
    RewardResult r = run(PY, "<think>\nno code\n</think>\nprint(5)", TESTS);
    assertThat(r.status()).isEqualTo(RewardResult.Status.OK);
    assertThat(r.value()).isZero();
  }

  @Test
  void javaSolutionRunsThroughTheSourceLauncher() {
    CodeReward java =
        CodeReward.from(
            RewardParams.of(Map.of("language", "java", "wall_seconds", 2, "cpu_seconds", 1)));
    String ok =
        "```java\nimport java.util.*;\npublic class Main { public static void main(String[] a) {"
            + " Scanner s = new Scanner(System.in); System.out.println(s.nextInt() + s.nextInt()); } }\n```";
    assertThat(java.score(RewardInput.of(ok, TESTS)).value()).isEqualTo(1.0);
    String loop =
        "```java\npublic class Main { public static void main(String[] a) { while (true) {} } }\n```";
    long t0 = System.nanoTime();
    RewardResult r = java.score(RewardInput.of(loop, TESTS));
    assertThat(r.status()).as(r.detail()).isEqualTo(RewardResult.Status.TIMEOUT);
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10.0);
  }

  @Test
  void extractsTheLastTaggedBlockAfterThinking() {
    String c =
        "<think>\n```python\nwrong()\n```\n</think>\n```python\nfirst()\n```\n```python\nlast()\n```";
    assertThat(CodeReward.extractCode(c, CodeReward.Language.PYTHON)).isEqualTo("last()\n");
    assertThat(CodeReward.extractCode("no fences", CodeReward.Language.PYTHON)).isNull();
    assertThat(CodeReward.tests(RewardInput.of("x", "{\"inputs\":[\"1\"],\"outputs\":[\"2\"]}")))
        .isEqualTo(List.of(new CodeReward.TestCase("1", "2", null)));
  }
}
