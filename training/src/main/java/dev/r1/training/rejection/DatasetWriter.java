package dev.r1.training.rejection;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.training.sft.SftDataset;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a rejection-sampling SFT dataset as JSONL: the kept traces, each with its provenance
 * (model reference, policy version, reward components), mixed with general prompt/response rows so
 * they make up a given share of the total, in seeded random order. Every row has {@code prompt} and
 * {@code response} (what {@link SftDataset} reads) and {@code source}: {@code rejection} or {@code
 * general}.
 *
 * <p>Rows of a kept trace: {@code prompt, response, prompt_id, answer, source, model,
 * policy_version, rewards {name: value}, reward_total, completion_tokens}.
 */
public final class DatasetWriter {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What was written.
   *
   * @param file the dataset
   * @param reasoningRows kept traces written
   * @param generalRows general rows mixed in
   */
  public record Written(Path file, int reasoningRows, int generalRows) {
    public int rows() {
      return reasoningRows + generalRows;
    }
  }

  private DatasetWriter() {}

  /**
   * Writes the dataset atomically (a temporary file moved into place).
   *
   * @param general general rows to mix in (may be empty)
   * @param generalShare the share of the written rows that are general, in [0, 1); limited by how
   *     many general rows there are
   */
  public static Written write(
      Path file, List<Candidate> kept, List<SftDataset.Row> general, double generalShare, long seed)
      throws IOException {
    if (!(generalShare >= 0 && generalShare < 1)) {
      throw new IllegalArgumentException("generalShare must be in [0, 1), got " + generalShare);
    }
    int wanted =
        general.isEmpty() || generalShare == 0
            ? 0
            : (int) Math.round(kept.size() * generalShare / (1 - generalShare));
    int nGeneral = Math.min(wanted, general.size());
    SplittableRandom random = new SplittableRandom(seed);
    List<Map<String, Object>> rows = new ArrayList<>(kept.size() + nGeneral);
    for (Candidate c : kept) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("prompt", c.question());
      r.put("response", c.response());
      r.put("prompt_id", c.promptId());
      r.put("answer", c.gold());
      r.put("source", "rejection");
      r.put("model", c.model());
      r.put("policy_version", c.policyVersion());
      r.put("rewards", c.rewards());
      r.put("reward_total", c.rewardTotal());
      r.put("completion_tokens", c.completionTokens());
      rows.add(r);
    }
    int[] pick = shuffled(general.size(), random);
    for (int i = 0; i < nGeneral; i++) {
      SftDataset.Row g = general.get(pick[i]);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("prompt", g.prompt());
      r.put("response", g.response());
      r.put("source", "general");
      rows.add(r);
    }
    int[] order = shuffled(rows.size(), random);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (int i : order) {
        out.write(JSON.writeValueAsString(rows.get(i)));
        out.write('\n');
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new Written(file, kept.size(), nGeneral);
  }

  private static int[] shuffled(int n, SplittableRandom r) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
