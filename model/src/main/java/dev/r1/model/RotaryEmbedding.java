package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Rotary position embeddings (RoPE), with Llama 3 frequency scaling. */
final class RotaryEmbedding {

  private RotaryEmbedding() {}

  /** inv_freq[i] = theta^(-2i/hd), scaled per Llama 3 when the config asks for it. */
  static double[] inverseFrequencies(ModelConfig c) {
    int half = c.headDim() / 2;
    double[] inv = new double[half];
    for (int i = 0; i < half; i++) {
      // Hugging Face computes this in float32; match it so angles agree at long positions.
      float exponent = (float) (2 * i) / c.headDim();
      inv[i] = (float) (1.0 / Math.pow(c.ropeTheta(), exponent));
    }
    ModelConfig.RopeScaling s = c.ropeScaling();
    if (s != null) {
      double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
      double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
      for (int i = 0; i < half; i++) {
        double wavelen = 2 * Math.PI / inv[i];
        if (wavelen > lowWavelen) {
          inv[i] = inv[i] / s.factor();
        } else if (wavelen >= highWavelen) {
          double smooth =
              (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                  / (s.highFreqFactor() - s.lowFreqFactor());
          inv[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
        }
      }
    }
    return inv;
  }

  /** cos and sin of position * inv_freq, duplicated over both halves: two (B, T, 1, hd) arrays. */
  static NDArray[] cosSin(
      NDManager m, double[] invFreq, int[] positions, int b, int t, DataType type) {
    int half = invFreq.length;
    int hd = 2 * half;
    Shape shape = new Shape(b, t, 1, hd);
    if (type == DataType.FLOAT64) {
      double[] cos = new double[b * t * hd];
      double[] sin = new double[b * t * hd];
      for (int p = 0; p < b * t; p++) {
        for (int j = 0; j < half; j++) {
          double a = positions[p] * invFreq[j];
          cos[p * hd + j] = cos[p * hd + j + half] = Math.cos(a);
          sin[p * hd + j] = sin[p * hd + j + half] = Math.sin(a);
        }
      }
      return new NDArray[] {HostArrays.doubles(m, cos, shape), HostArrays.doubles(m, sin, shape)};
    }
    float[] cos = new float[b * t * hd];
    float[] sin = new float[b * t * hd];
    for (int p = 0; p < b * t; p++) {
      for (int j = 0; j < half; j++) {
        float a = (float) positions[p] * (float) invFreq[j];
        cos[p * hd + j] = cos[p * hd + j + half] = (float) Math.cos(a);
        sin[p * hd + j] = sin[p * hd + j + half] = (float) Math.sin(a);
      }
    }
    return new NDArray[] {HostArrays.floats(m, cos, shape), HostArrays.floats(m, sin, shape)};
  }
}
