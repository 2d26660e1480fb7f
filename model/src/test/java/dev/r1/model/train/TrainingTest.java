package dev.r1.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.TokenScores;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

  static final ModelConfig CONFIG =
      new ModelConfig(
          "qwen3",
          41,
          16,
          32,
          2,
          4,
          2,
          8,
          1e-6,
          10000,
          null,
          false,
          false,
          true,
          64,
          1,
          List.of(2),
          "float32");

  static int[][] ids(long seed, int b, int t) {
    SplittableRandom r = new SplittableRandom(seed);
    int[][] ids = new int[b][t];
    for (int[] row : ids) {
      for (int j = 0; j < t; j++) {
        row[j] = r.nextInt(CONFIG.vocabSize());
      }
    }
    return ids;
  }

  static int[][] ones(int b, int t) {
    int[][] m = new int[b][t];
    for (int[] row : m) {
      Arrays.fill(row, 1);
    }
    return m;
  }

  static double step(CausalLm model, AdamW opt, NDManager root, int[][] ids, int micro, double lr) {
    double total = 0;
    int per = ids.length / micro;
    for (int k = 0; k < micro; k++) {
      int[][] part = Arrays.copyOfRange(ids, k * per, (k + 1) * per);
      double[] mask = new double[per * (part[0].length - 1)];
      Arrays.fill(mask, 1.0 / micro);
      try (NDManager m = root.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        TokenScores s = TokenScores.compute(model, m, part, ones(per, part[0].length), 1, false);
        // NextTokenLoss normalises by sum(mask): scale so micro-batches add up to the full mean
        NDArray loss =
            NextTokenLoss.compute(m, s.logprobs(), mask).mul(m.create((float) (1.0 / micro)));
        gc.backward(loss);
        total += loss.getFloat();
      }
    }
    opt.step(lr);
    return total;
  }

  static Map<String, float[]> snapshot(CausalLm model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    model.parameters().forEach((n, p) -> out.put(n, p.toFloatArray()));
    return out;
  }

  @Test
  void trainingLowersTheLossOnARepeatedBatch() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 1, root, DataType.FLOAT32)) {
      model.enableGradients();
      int[][] ids = ids(3, 4, 12);
      try (AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
        double first = step(model, opt, root, ids, 1, 1e-2);
        double last = first;
        for (int i = 0; i < 30; i++) {
          last = step(model, opt, root, ids, 1, 1e-2);
        }
        assertThat(last).isLessThan(first * 0.7);
        assertThat(model.ownedArrayCount()).isEqualTo(snapshot(model).size() + 3);
      }
    }
  }

  @Test
  void gradientAccumulationOverMicroBatchesEqualsOneFullBatch() {
    int[][] ids = ids(4, 4, 10);
    Map<String, float[]> full;
    Map<String, float[]> accumulated;
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 2, root, DataType.FLOAT32);
        AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
      model.enableGradients();
      step(model, opt, root, ids, 1, 1e-3);
      full = snapshot(model);
    }
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 2, root, DataType.FLOAT32);
        AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
      model.enableGradients();
      step(model, opt, root, ids, 2, 1e-3);
      accumulated = snapshot(model);
    }
    full.forEach(
        (n, v) -> {
          float[] a = accumulated.get(n);
          for (int i = 0; i < v.length; i++) {
            assertThat((double) a[i])
                .as("%s[%d]", n, i)
                .isCloseTo(v[i], org.assertj.core.data.Offset.offset(2e-6));
          }
        });
  }

  @Test
  void adamWMatchesAHandWrittenReferenceIncludingDecayAndClipping() {
    OptimizerConfig cfg = new OptimizerConfig(0.9, 0.95, 1e-8, 0.1, 0.5);
    try (NDManager root = NDManager.newBaseManager()) {
      NDArray w = root.create(new double[] {0.5, -1.0, 2.0});
      w.setName("layer.weight");
      NDArray b = root.create(new double[] {0.1, 0.2});
      b.setName("layer.bias");
      w.setRequiresGradient(true);
      b.setRequiresGradient(true);
      Map<String, NDArray> params = new LinkedHashMap<>();
      params.put("layer.weight", w);
      params.put("layer.bias", b);
      double[] rw = {0.5, -1.0, 2.0};
      double[] rb = {0.1, 0.2};
      double[] mw = new double[3], vw = new double[3], mb = new double[2], vb = new double[2];
      try (AdamW opt = new AdamW(params, cfg, root)) {
        for (int t = 1; t <= 3; t++) {
          double lr = 0.01 * t;
          try (NDManager m = root.newSubManager();
              GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            // loss = sum(w^3) + sum(b * w[0..1]) with constant-free ops
            NDArray loss = w.mul(w).mul(w).sum().add(b.mul(w.get("0:2")).sum());
            gc.backward(loss);
          }
          // reference
          double[] gw = new double[3];
          double[] gb = new double[2];
          for (int i = 0; i < 3; i++) {
            gw[i] = 3 * rw[i] * rw[i] + (i < 2 ? rb[i] : 0);
          }
          for (int i = 0; i < 2; i++) {
            gb[i] = rw[i];
          }
          double norm = 0;
          for (double g : gw) norm += g * g;
          for (double g : gb) norm += g * g;
          norm = Math.sqrt(norm);
          double clip = norm > 0.5 ? 0.5 / (norm + 1e-6) : 1;
          AdamW.StepResult res = opt.step(lr);
          assertThat(res.gradNorm()).isCloseTo(norm, org.assertj.core.data.Offset.offset(1e-9));
          double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.95, t);
          for (int i = 0; i < 3; i++) {
            double g = gw[i] * clip;
            rw[i] *= 1 - lr * 0.1;
            mw[i] = 0.9 * mw[i] + 0.1 * g;
            vw[i] = 0.95 * vw[i] + 0.05 * g * g;
            rw[i] -= lr / bc1 * mw[i] / (Math.sqrt(vw[i]) / Math.sqrt(bc2) + 1e-8);
          }
          for (int i = 0; i < 2; i++) {
            double g = gb[i] * clip;
            mb[i] = 0.9 * mb[i] + 0.1 * g;
            vb[i] = 0.95 * vb[i] + 0.05 * g * g;
            rb[i] -= lr / bc1 * mb[i] / (Math.sqrt(vb[i]) / Math.sqrt(bc2) + 1e-8);
          }
          assertThat(w.toDoubleArray())
              .containsExactly(rw, org.assertj.core.data.Offset.offset(1e-12));
          assertThat(b.toDoubleArray())
              .containsExactly(rb, org.assertj.core.data.Offset.offset(1e-12));
        }
      }
    }
  }

  @Test
  void float32AdamWMatchesTheSameReference() {
    OptimizerConfig cfg = new OptimizerConfig(0.9, 0.95, 1e-8, 0.1, 0.5);
    try (NDManager root = NDManager.newBaseManager()) {
      NDArray w = root.create(new float[] {0.5f, -1.0f, 2.0f});
      w.setName("layer.weight");
      NDArray b = root.create(new float[] {0.1f, 0.2f});
      b.setName("layer.bias");
      w.setRequiresGradient(true);
      b.setRequiresGradient(true);
      Map<String, NDArray> params = new LinkedHashMap<>();
      params.put("layer.weight", w);
      params.put("layer.bias", b);
      double[] rw = {0.5, -1.0, 2.0};
      double[] rb = {0.1, 0.2};
      // the update runs in float32; the reference in float64 (the same math)
      double[] mw = new double[3], vw = new double[3], mb = new double[2], vb = new double[2];
      try (AdamW opt = new AdamW(params, cfg, root)) {
        for (int t = 1; t <= 3; t++) {
          double lr = 0.01 * t;
          try (NDManager m = root.newSubManager();
              GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            // loss = sum(w^3) + sum(b * w[0..1]) with constant-free ops
            NDArray loss = w.mul(w).mul(w).sum().add(b.mul(w.get("0:2")).sum());
            gc.backward(loss);
          }
          // reference
          double[] gw = new double[3];
          double[] gb = new double[2];
          for (int i = 0; i < 3; i++) {
            gw[i] = 3 * rw[i] * rw[i] + (i < 2 ? rb[i] : 0);
          }
          for (int i = 0; i < 2; i++) {
            gb[i] = rw[i];
          }
          double norm = 0;
          for (double g : gw) norm += g * g;
          for (double g : gb) norm += g * g;
          norm = Math.sqrt(norm);
          double clip = norm > 0.5 ? 0.5 / (norm + 1e-6) : 1;
          AdamW.StepResult res = opt.step(lr);
          assertThat(res.gradNorm()).isCloseTo(norm, org.assertj.core.data.Offset.offset(1e-5));
          double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.95, t);
          for (int i = 0; i < 3; i++) {
            double g = gw[i] * clip;
            rw[i] *= 1 - lr * 0.1;
            mw[i] = 0.9 * mw[i] + 0.1 * g;
            vw[i] = 0.95 * vw[i] + 0.05 * g * g;
            rw[i] -= lr / bc1 * mw[i] / (Math.sqrt(vw[i]) / Math.sqrt(bc2) + 1e-8);
          }
          for (int i = 0; i < 2; i++) {
            double g = gb[i] * clip;
            mb[i] = 0.9 * mb[i] + 0.1 * g;
            vb[i] = 0.95 * vb[i] + 0.05 * g * g;
            rb[i] -= lr / bc1 * mb[i] / (Math.sqrt(vb[i]) / Math.sqrt(bc2) + 1e-8);
          }
          // float32 state against the float64 reference
          assertThat(toDoubles(w.toFloatArray()))
              .containsExactly(rw, org.assertj.core.data.Offset.offset(1e-5));
          assertThat(toDoubles(b.toFloatArray()))
              .containsExactly(rb, org.assertj.core.data.Offset.offset(1e-5));
          // the float reference carries on from the float weights, as the optimizer does
          rw = toDoubles(w.toFloatArray());
          rb = toDoubles(b.toFloatArray());
        }
      }
    }
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  @Test
  void aNonFiniteGradientSkipsTheUpdate() {
    try (NDManager root = NDManager.newBaseManager()) {
      NDArray w = root.create(new float[] {1f, 2f});
      w.setRequiresGradient(true);
      try (AdamW opt = new AdamW(Map.of("w.weight", w), OptimizerConfig.defaults(), root)) {
        try (NDManager m = root.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(w.log().mul(m.create(new float[] {Float.POSITIVE_INFINITY, 1f})).sum());
        }
        AdamW.StepResult r = opt.step(0.1);
        assertThat(r.skipped()).isTrue();
        assertThat(w.toFloatArray()).containsExactly(1f, 2f);
        assertThat(opt.stepCount()).isZero();
      }
    }
  }

  @Test
  void resumingFromACheckpointContinuesBitForBit(@TempDir Path dir) throws Exception {
    int[][][] batches = new int[6][][];
    for (int i = 0; i < 6; i++) {
      batches[i] = ids(100 + i, 4, 9);
    }
    LrSchedule schedule = new LrSchedule(5e-3, 2, 6, LrSchedule.Shape.COSINE, 0.1);
    Map<String, float[]> straight;
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 9, root, DataType.FLOAT32);
        AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
      model.enableGradients();
      for (int i = 0; i < 6; i++) {
        step(model, opt, root, batches[i], 1, schedule.at(i));
      }
      straight = snapshot(model);
    }
    Path ckpt = dir.resolve("checkpoint-3");
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(CONFIG, 9, root, DataType.FLOAT32);
        AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
      model.enableGradients();
      for (int i = 0; i < 3; i++) {
        step(model, opt, root, batches[i], 1, schedule.at(i));
      }
      TrainingCheckpoint.save(
          ckpt, model, opt, new TrainingCheckpoint.State(3, 9, Map.of("note", "x")));
    }
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(ckpt, root, DataType.FLOAT32);
        AdamW opt = new AdamW(model.parameters(), OptimizerConfig.defaults(), root)) {
      model.enableGradients();
      TrainingCheckpoint.State state = TrainingCheckpoint.restore(ckpt, opt);
      assertThat(state.step()).isEqualTo(3);
      assertThat(state.extra()).containsEntry("note", "x");
      for (long i = state.step(); i < 6; i++) {
        step(model, opt, root, batches[(int) i], 1, schedule.at(i));
      }
      Map<String, float[]> resumed = snapshot(model);
      straight.forEach((n, v) -> assertThat(resumed.get(n)).as(n).containsExactly(v));
    }
  }

  @Test
  void scheduleWarmsUpThenDecaysToTheFloor() {
    LrSchedule s = new LrSchedule(1.0, 4, 14, LrSchedule.Shape.COSINE, 0.1);
    assertThat(s.at(0)).isEqualTo(0.25);
    assertThat(s.at(3)).isEqualTo(1.0);
    assertThat(s.at(9)).isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.at(14)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.at(100)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(LrSchedule.constant(0.3).at(50)).isEqualTo(0.3);
  }
}
