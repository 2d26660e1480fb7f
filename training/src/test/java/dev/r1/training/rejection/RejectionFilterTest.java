package dev.r1.training.rejection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.training.sft.SftDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RejectionFilterTest {

  private static Candidate c(String prompt, String response, int tokens, boolean truncated) {
    return new Candidate(
        prompt,
        "12+30",
        "42",
        response,
        tokens,
        truncated,
        Map.of("accuracy", 1.0, "format", 1.0),
        1.2,
        "job:p1-s2-grpo@7",
        7);
  }

  private static final String GOOD = "<think>\n2+0=2\n1+3=4\n</think>\n<answer>42</answer>";

  @Test
  void keepsCorrectWellFormedConsistentShortDistinctTraces() {
    RejectionFilter f = new RejectionFilter(RejectionConfig.strict(30, 2));
    RejectionFilter.Result r =
        f.filter(
            List.of(
                c("p1", GOOD, 20, false),
                c("p1", GOOD.replace("\n2+0", "\n 2+0"), 20, false), // duplicate up to spacing
                c("p1", "<think>\n2+0=2\n</think>\n<answer>41</answer>", 20, false),
                c("p1", "42", 2, false),
                c("p1", "<think>\n先 2+0=2\n</think>\n<answer>42</answer>", 20, false),
                c("p1", GOOD, 31, false),
                c("p1", GOOD, 20, true),
                c("p1", "<think>\n0+2=2, 3+1=4\n</think>\n<answer>42</answer>", 20, false),
                c("p1", "<think>\n4 tens 2 ones\n</think>\n<answer>42</answer>", 20, false),
                c("p2", GOOD, 20, false)));
    assertThat(r.offered()).isEqualTo(10);
    assertThat(r.kept()).hasSize(3);
    assertThat(r.kept().get(2).promptId()).isEqualTo("p2");
    assertThat(r.rejected())
        .containsEntry("duplicate", 1)
        .containsEntry("incorrect", 1)
        .containsEntry("malformed", 1)
        .containsEntry("language", 1)
        .containsEntry("too_long", 2)
        .containsEntry("per_prompt_cap", 1);
    assertThat(r.keptRate()).isEqualTo(0.3);
  }

  @Test
  void writesRowsWithProvenanceMixedWithGeneralData(@TempDir Path dir) throws Exception {
    List<Candidate> kept =
        List.of(c("p1", GOOD, 20, false), c("p2", GOOD, 20, false), c("p3", GOOD, 20, false));
    List<SftDataset.Row> general =
        List.of(
            new SftDataset.Row("Say hi", "Hi!"),
            new SftDataset.Row("Name a colour", "Blue."),
            new SftDataset.Row("Count to two", "1, 2"));
    DatasetWriter.Written w = DatasetWriter.write(dir.resolve("rs.jsonl"), kept, general, 0.25, 3);
    assertThat(w.reasoningRows()).isEqualTo(3);
    assertThat(w.generalRows()).isEqualTo(1);
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(w.file());
    assertThat(lines).hasSize(4);
    int rejection = 0;
    for (String line : lines) {
      JsonNode n = json.readTree(line);
      if (n.get("source").asText().equals("rejection")) {
        rejection++;
        assertThat(n.get("model").asText()).isEqualTo("job:p1-s2-grpo@7");
        assertThat(n.get("policy_version").asLong()).isEqualTo(7);
        assertThat(n.get("rewards").get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(n.get("answer").asText()).isEqualTo("42");
      }
    }
    assertThat(rejection).isEqualTo(3);
    // the written dataset is SFT input as it is
    assertThat(SftDataset.read(w.file())).hasSize(4);
  }
}
