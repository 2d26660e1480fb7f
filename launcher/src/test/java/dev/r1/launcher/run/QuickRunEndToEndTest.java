package dev.r1.launcher.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./r1 run --quick} end to end, in this JVM: the platform on an embedded broker, the
 * pipeline job submitted and followed through the gateway's REST API, the report and the chart.
 */
class QuickRunEndToEndTest {

  @TempDir Path work;

  @Test
  void quickPipelineEndsWithHigherAccuracyAfterGrpoThanAfterColdStart() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    R1Run run = new R1Run(new PrintStream(console, true, StandardCharsets.UTF_8));
    new CommandLine(run).parseArgs("--quick", "--work-dir", work.toString());

    R1Run.Outcome outcome = run.run();
    String printed = console.toString(StandardCharsets.UTF_8);

    assertThat(outcome.status()).as(printed).isEqualTo("succeeded");
    assertThat(outcome.stages()).as(printed).hasSizeGreaterThanOrEqualTo(3);
    R1Run.StageResult cold = outcome.stages().get(0);
    R1Run.StageResult rl =
        outcome.stages().stream().filter(s -> s.name().contains("grpo")).findFirst().orElseThrow();
    assertThat(cold.formatRate()).as(printed).isGreaterThanOrEqualTo(0.9);
    assertThat(rl.passAt1()).as(printed).isGreaterThan(cold.passAt1());
    assertThat(R1Run.accuracyGain(outcome.stages())).isPresent();
    assertThat(printed).contains("pass@1").contains(outcome.jobId());

    assertThat(Files.readString(outcome.report()))
        .contains("pass@1")
        .contains("cons@k")
        .contains("succeeded");
    var png = ImageIO.read(outcome.chart().toFile());
    assertThat(png.getWidth()).isGreaterThan(500);
    assertThat(png.getHeight()).isGreaterThan(500);
  }
}
