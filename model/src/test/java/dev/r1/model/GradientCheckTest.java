package dev.r1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Analytic gradients of every parameter kind agree with central finite differences in fp64. */
class GradientCheckTest {

  static Iterable<ModelConfig> configs() {
    return TinyConfigs.all();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyParameterKindMatchesFiniteDifferences(ModelConfig config) {
    int[][] ids = {{3, 7, 11, 5, 9, 2}, {0, 0, 4, 8, 15, 16}};
    int[][] mask = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model =
            CausalLm.create(config, CausalLm.randomSource(7, 0.3), root, DataType.FLOAT64)) {
      // a fixed random projection of the logits makes every parameter matter
      SplittableRandom r = new SplittableRandom(11);
      double[] w = new double[2 * 6 * config.vocabSize()];
      for (int i = 0; i < w.length; i++) {
        w[i] = r.nextDouble() - 0.5;
      }
      NDArray weights = root.create(w, new Shape(2, 6, config.vocabSize()));
      // masked-out (padded) query rows do not count, as in training
      double[] rowMask = new double[2 * 6];
      for (int b = 0; b < 2; b++) {
        for (int t = 0; t < 6; t++) {
          rowMask[b * 6 + t] = mask[b][t];
        }
      }
      NDArray keep = root.create(rowMask, new Shape(2, 6, 1));

      model.enableGradients();
      Map<String, double[]> analytic = new LinkedHashMap<>();
      try (NDManager step = root.newSubManager();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = model.forward(step, ids, mask).mul(weights).mul(keep).sum();
        gc.backward(loss);
        model
            .parameters()
            .forEach(
                (n, p) -> {
                  try (NDArray g = p.getGradient()) {
                    analytic.put(n, g.toDoubleArray());
                  }
                });
      }

      double h = 1e-6;
      Map<String, Integer> checkedKinds = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        String kind = e.getKey().replaceAll("layers\\.\\d+\\.", "layers.N.");
        NDArray p = e.getValue();
        double[] values = p.toDoubleArray();
        double[] grad = analytic.get(e.getKey());
        for (int trial = 0; trial < 3; trial++) {
          int idx = r.nextInt(values.length);
          double orig = values[idx];
          values[idx] = orig + h;
          p.set(values);
          double plus = loss(model, root, ids, mask, weights, keep);
          values[idx] = orig - h;
          p.set(values);
          double minus = loss(model, root, ids, mask, weights, keep);
          values[idx] = orig;
          p.set(values);
          double numeric = (plus - minus) / (2 * h);
          double rel =
              Math.abs(numeric - grad[idx])
                  / Math.max(1e-7, Math.abs(numeric) + Math.abs(grad[idx]));
          assertThat(rel)
              .as("%s [%d]: numeric %s vs analytic %s", e.getKey(), idx, numeric, grad[idx])
              .isLessThan(1e-4);
        }
        checkedKinds.merge(kind, 1, Integer::sum);
      }
      assertThat(checkedKinds).containsKey("model.embed_tokens.weight");
      assertThat(checkedKinds).containsKey("model.layers.N.mlp.down_proj.weight");
    }
  }

  private static double loss(
      CausalLm model, NDManager root, int[][] ids, int[][] mask, NDArray w, NDArray keep) {
    try (NDManager step = root.newSubManager()) {
      return model.forward(step, ids, mask).mul(w).mul(keep).sum().getDouble();
    }
  }
}
