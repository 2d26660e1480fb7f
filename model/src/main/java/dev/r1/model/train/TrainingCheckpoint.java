package dev.r1.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelFormatException;
import dev.r1.model.safetensors.SafetensorsWriter;
import dev.r1.model.safetensors.TensorData;
import dev.r1.model.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A resumable training checkpoint: the model as a Hugging Face folder (so the same folder can be
 * exported or served), the AdamW moments in {@code optimizer.safetensors}, and the trainer's own
 * counters in {@code trainer_state.json}. Resuming from it continues bit for bit (fp32).
 *
 * <p>The folder is written beside its final name and renamed into place, so a crash mid-write never
 * leaves a half checkpoint under the final name.
 */
public final class TrainingCheckpoint {

  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  public static final String STATE_FILE = "trainer_state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingCheckpoint() {}

  /**
   * What the trainer needs besides weights and moments to continue.
   *
   * @param step completed training steps
   * @param seed the run's seed (data order and sampling derive from seed and step)
   * @param extra anything else the trainer wants back (JSON-serialisable values)
   */
  public record State(long step, long seed, Map<String, Object> extra) {
    public State {
      extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
  }

  /** Writes a checkpoint folder atomically (replacing an existing one). */
  public static void save(Path folder, CausalLm model, AdamW optimizer, State state)
      throws IOException {
    Path parent = folder.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + folder.getFileName() + ".tmp-");
    try {
      model.save(tmp);
      Map<String, TensorData> moments = new LinkedHashMap<>();
      optimizer.firstMoments().forEach((n, a) -> moments.put("exp_avg." + n, data(a)));
      optimizer.secondMoments().forEach((n, a) -> moments.put("exp_avg_sq." + n, data(a)));
      new SafetensorsWriter().writeFile(tmp.resolve(OPTIMIZER_FILE), moments);
      ObjectNode s = JSON.createObjectNode();
      s.put("step", state.step());
      s.put("seed", state.seed());
      s.put("optimizer_steps", optimizer.stepCount());
      s.set("extra", JSON.valueToTree(state.extra()));
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(STATE_FILE).toFile(), s);
      if (Files.exists(folder)) {
        deleteRecursively(folder);
      }
      try {
        Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, folder);
      }
    } finally {
      if (Files.exists(tmp)) {
        deleteRecursively(tmp);
      }
    }
  }

  /**
   * Restores optimizer moments and returns the trainer state; the model itself is loaded from the
   * same folder with {@link CausalLm#load}.
   */
  @SuppressWarnings("unchecked")
  public static State restore(Path folder, AdamW optimizer) throws IOException {
    Path stateFile = folder.resolve(STATE_FILE);
    if (!Files.isRegularFile(stateFile)) {
      throw new ModelFormatException(folder + ": " + STATE_FILE + " not found; not a checkpoint");
    }
    var s = JSON.readTree(stateFile.toFile());
    if (!s.path("step").canConvertToLong() || !s.path("optimizer_steps").canConvertToLong()) {
      throw new ModelFormatException(stateFile + ": step and optimizer_steps must be integers");
    }
    Map<String, double[]> first = new LinkedHashMap<>();
    Map<String, double[]> second = new LinkedHashMap<>();
    try (TensorStore store = TensorStore.open(folder.resolve(OPTIMIZER_FILE))) {
      for (String name : store.names()) {
        if (name.startsWith("exp_avg_sq.")) {
          second.put(name.substring("exp_avg_sq.".length()), store.readDouble(name));
        } else if (name.startsWith("exp_avg.")) {
          first.put(name.substring("exp_avg.".length()), store.readDouble(name));
        }
      }
    }
    optimizer.restore(s.get("optimizer_steps").asLong(), first, second);
    Map<String, Object> extra = JSON.convertValue(s.path("extra"), Map.class);
    return new State(s.get("step").asLong(), s.path("seed").asLong(), extra);
  }

  private static TensorData data(NDArray a) {
    float[] f;
    if (a.getDataType() == DataType.FLOAT32) {
      f = a.toFloatArray();
    } else {
      try (NDManager tmp = a.getManager().newSubManager()) {
        NDArray c = a.toType(DataType.FLOAT32, true);
        c.attach(tmp);
        f = c.toFloatArray();
      }
    }
    return new TensorData(f, a.getShape().getShape());
  }

  static void deleteRecursively(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
