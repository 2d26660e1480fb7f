package dev.r1.model.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class TensorSamplerTest {

  static final int ROWS = 400;
  static final int VOCAB = 37;

  /** Random logits with a spread like a model's: a few likely tokens and a long tail. */
  static float[] logits(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[ROWS * VOCAB];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 6 - 3 + (r.nextInt(10) == 0 ? 4 : 0));
    }
    return x;
  }

  @Test
  void samplingInTheEngineDrawsWhatTheJavaSamplerDrawsFromTheSameUniforms() {
    for (double temperature : new double[] {1.0, 0.7, 1.6}) {
      SamplingParams params = new SamplingParams(1, temperature, 0, 1, 0, Set.of());
      assertThat(TensorSampler.serves(params, VOCAB)).isTrue();
      float[] x = logits(11);
      TokenSampler java = new TokenSampler(params);
      double[] u = new double[ROWS];
      int[] expected = new int[ROWS];
      float[] expectedLogprob = new float[ROWS];
      for (int i = 0; i < ROWS; i++) {
        // the Java sampler draws one uniform per row; replay the same one for the engine
        u[i] = new SplittableRandom(100 + i).nextDouble();
        TokenSampler.Draw d = java.draw(x, i * VOCAB, VOCAB, new SplittableRandom(100 + i));
        expected[i] = d.token();
        expectedLogprob[i] = d.logprob();
      }
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray logits = m.create(x, new Shape(ROWS, VOCAB));
        TensorSampler.Draws got = new TensorSampler(params).draw(m, logits, u);
        int same = 0;
        for (int i = 0; i < ROWS; i++) {
          if (got.tokens()[i] == expected[i]) {
            same++;
            assertThat(got.logprobs()[i])
                .as("row %d at temperature %s", i, temperature)
                .isCloseTo(expectedLogprob[i], Offset.offset(1e-5f));
          }
        }
        // float and double cumulative sums may only disagree where u sits on a boundary
        assertThat(same).as("temperature %s", temperature).isGreaterThanOrEqualTo(ROWS - 1);
      }
    }
  }

  @Test
  void greedyInTheEngineTakesTheFirstMaximumAndItsLogprob() {
    SamplingParams params = SamplingParams.greedy(1, Set.of());
    float[] x = logits(12);
    x[5 * VOCAB + 3] = 50;
    x[5 * VOCAB + 9] = 50; // a tie: the first index wins, as in the Java sampler
    TokenSampler java = new TokenSampler(params);
    try (NDManager m = NDManager.newBaseManager()) {
      TensorSampler.Draws got =
          new TensorSampler(params).draw(m, m.create(x, new Shape(ROWS, VOCAB)), new double[ROWS]);
      for (int i = 0; i < ROWS; i++) {
        TokenSampler.Draw d = java.draw(x, i * VOCAB, VOCAB, new SplittableRandom(0));
        assertThat(got.tokens()[i]).as("row %d", i).isEqualTo(d.token());
        assertThat(got.logprobs()[i]).isCloseTo(d.logprob(), Offset.offset(1e-5f));
      }
      assertThat(got.tokens()[5]).isEqualTo(3);
    }
  }

  @Test
  void truncatedSamplingStaysInJava() {
    assertThat(TensorSampler.serves(new SamplingParams(1, 1.0, 5, 1, 0, Set.of()), VOCAB))
        .isFalse();
    assertThat(TensorSampler.serves(new SamplingParams(1, 1.0, 0, 0.9, 0, Set.of()), VOCAB))
        .isFalse();
    assertThat(TensorSampler.serves(new SamplingParams(1, 1.0, VOCAB, 1, 0, Set.of()), VOCAB))
        .isTrue();
  }
}
