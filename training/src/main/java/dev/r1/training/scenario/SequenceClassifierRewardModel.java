package dev.r1.training.scenario;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.ModelFormatException;
import dev.r1.model.safetensors.TensorStore;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.RewardInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reward model in Hugging Face's {@code LlamaForSequenceClassification} layout (also Qwen2's):
 * the decoder backbone ({@code model.*} tensors) and a linear head {@code score.weight} of shape
 * (num_labels, hidden) applied to the final hidden state of the last token; the reward is label 0's
 * logit. Loaded from a folder with {@code config.json}, {@code model.safetensors} and a tokenizer.
 *
 * <p>The head runs as the language-model head of a {@link CausalLm} whose output matrix holds the
 * score row in row 0 and zeros elsewhere, so the backbone code is the tested decoder. Sequences are
 * left-padded, so the last position is every row's last token. Longer texts keep their last {@code
 * maxTokens} tokens. Scoring is serialised (one forward at a time) and runs without autograd.
 */
public final class SequenceClassifierRewardModel implements RewardModel {

  private final NDManager manager;
  private final CausalLm backbone;
  private final Tokenizer tokenizer;
  private final int maxTokens;
  private final int batchSize;

  private SequenceClassifierRewardModel(
      NDManager manager, CausalLm backbone, Tokenizer tokenizer, int maxTokens, int batchSize) {
    this.manager = manager;
    this.backbone = backbone;
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.batchSize = batchSize;
  }

  /**
   * Loads a sequence-classification checkpoint.
   *
   * @throws ModelFormatException naming the tensor when {@code score.weight} is missing or its
   *     shape does not match the config
   */
  public static SequenceClassifierRewardModel load(Path folder, int maxTokens, int batchSize) {
    ModelConfig base = ModelConfig.read(folder);
    ModelConfig untied =
        new ModelConfig(
            base.modelType(),
            base.vocabSize(),
            base.hiddenSize(),
            base.intermediateSize(),
            base.numLayers(),
            base.numHeads(),
            base.numKvHeads(),
            base.headDim(),
            base.rmsNormEps(),
            base.ropeTheta(),
            base.ropeScaling(),
            false,
            base.attentionBias(),
            base.qkNorm(),
            base.maxPositionEmbeddings(),
            base.bosTokenId(),
            base.eosTokenIds(),
            base.torchDtype());
    NDManager manager = NDManager.newBaseManager();
    try (TensorStore store = TensorStore.open(folder)) {
      if (!store.contains("score.weight")) {
        throw new ModelFormatException(
            "tensor 'score.weight' (the sequence-classification head) is missing from "
                + store.source());
      }
      long[] head = store.info("score.weight").shape();
      if (head.length != 2 || head[1] != base.hiddenSize() || head[0] < 1) {
        throw new ModelFormatException(
            "tensor 'score.weight' has shape "
                + Arrays.toString(head)
                + " but a (num_labels, "
                + base.hiddenSize()
                + ") head was expected");
      }
      float[] score = store.readFloat("score.weight");
      CausalLm.ParameterSource source =
          new CausalLm.ParameterSource() {
            @Override
            public double[] values(String name, Shape shape) {
              float[] f = floats(name, shape);
              double[] d = new double[f.length];
              for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
              }
              return d;
            }

            @Override
            public float[] floats(String name, Shape shape) {
              if (name.equals("lm_head.weight")) {
                float[] w = new float[(int) shape.size()];
                System.arraycopy(score, 0, w, 0, base.hiddenSize()); // label 0 -> row 0
                return w;
              }
              if (!store.contains(name)) {
                throw new ModelFormatException(
                    "tensor '" + name + "' is missing from " + store.source());
              }
              long[] actual = store.info(name).shape();
              if (!Arrays.equals(actual, shape.getShape())) {
                throw new ModelFormatException(
                    "tensor '"
                        + name
                        + "' has shape "
                        + Arrays.toString(actual)
                        + " but config.json implies "
                        + shape);
              }
              return store.readFloat(name);
            }
          };
      CausalLm model = CausalLm.create(untied, source, manager, DataType.FLOAT32);
      return new SequenceClassifierRewardModel(
          manager, model, Tokenizer.load(folder), maxTokens, batchSize);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public synchronized List<Double> score(List<RewardInput> inputs) {
    JniUtils.setGradMode(false); // PyTorch grad mode is per thread and on in new threads
    List<Double> out = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i += batchSize) {
      List<RewardInput> batch = inputs.subList(i, Math.min(inputs.size(), i + batchSize));
      List<int[]> ids = new ArrayList<>(batch.size());
      int t = 1;
      for (RewardInput in : batch) {
        int[] seq = tokenizer.encode(in.prompt() + in.completion());
        if (seq.length == 0) {
          seq = new int[] {tokenizer.padTokenId()};
        }
        if (seq.length > maxTokens) {
          seq = Arrays.copyOfRange(seq, seq.length - maxTokens, seq.length);
        }
        ids.add(seq);
        t = Math.max(t, seq.length);
      }
      int[][] padded = new int[batch.size()][t];
      int[][] mask = new int[batch.size()][t];
      for (int b = 0; b < batch.size(); b++) {
        int[] seq = ids.get(b);
        int off = t - seq.length;
        Arrays.fill(padded[b], tokenizer.padTokenId());
        System.arraycopy(seq, 0, padded[b], off, seq.length);
        Arrays.fill(mask[b], off, t, 1);
      }
      try (NDManager m = manager.newSubManager()) {
        NDArray logits = backbone.forward(m, padded, mask); // (B, T, V)
        float[] all = logits.get(":, -1, 0").toFloatArray();
        for (float v : all) {
          out.add((double) v);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    tokenizer.close();
    backbone.close();
    manager.close();
  }
}
