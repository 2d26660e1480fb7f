package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import dev.r1.model.safetensors.SafetensorsException;
import dev.r1.model.safetensors.SafetensorsWriter;
import dev.r1.model.safetensors.TensorData;
import dev.r1.model.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A decoder-only transformer (Llama, Qwen2, Qwen3) computing what Hugging Face transformers
 * computes, written directly on DJL NDArrays.
 *
 * <p>Parameters keep their Hugging Face names ({@code model.layers.0.self_attn.q_proj.weight}) and
 * live in this model's own manager. Every forward pass allocates its activations in the caller's
 * manager, so a caller closes one sub-manager per step and nothing accumulates here.
 *
 * <p>Shapes in comments: B batch, T new tokens, S = past + T keys, H hidden, nH query heads, nKV
 * key/value heads, r = nH/nKV, hd head dim, I MLP width, V vocab.
 */
public final class CausalLm implements AutoCloseable {

  static {
    NativeAllocator.keepFreedMemory();
  }

  private final ModelConfig config;
  private final DataType dataType;
  private final NDManager manager;
  private final Map<String, NDArray> parameters;
  private final Layer[] layers;
  private final NDArray embedTokens; // (V, H)
  private final NDArray finalNorm; // (H)
  private final NDArray lmHead; // (V, H), the embedding when tied
  private final NDArray rmsEps; // scalar constant: DJL scalar ops corrupt gradients
  private final NDArray attnScale; // scalar constant 1/sqrt(hd)
  private final NDArray rotateHalf; // (hd, hd): x @ R == cat(-x2, x1)
  private final double[] inverseFrequencies; // (hd/2), llama3-scaled when configured

  /** One decoder layer's parameters; optional ones are null. */
  private record Layer(
      NDArray inputNorm,
      NDArray q,
      NDArray qBias,
      NDArray k,
      NDArray kBias,
      NDArray v,
      NDArray vBias,
      NDArray o,
      NDArray oBias,
      NDArray qNorm,
      NDArray kNorm,
      NDArray postNorm,
      NDArray gate,
      NDArray up,
      NDArray down) {}

  private CausalLm(
      ModelConfig config, DataType dataType, NDManager manager, Map<String, NDArray> parameters) {
    this.config = config;
    this.dataType = dataType;
    this.manager = manager;
    this.parameters = Collections.unmodifiableMap(parameters);
    this.layers = new Layer[config.numLayers()];
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + i + ".";
      layers[i] =
          new Layer(
              parameters.get(p + "input_layernorm.weight"),
              parameters.get(p + "self_attn.q_proj.weight"),
              parameters.get(p + "self_attn.q_proj.bias"),
              parameters.get(p + "self_attn.k_proj.weight"),
              parameters.get(p + "self_attn.k_proj.bias"),
              parameters.get(p + "self_attn.v_proj.weight"),
              parameters.get(p + "self_attn.v_proj.bias"),
              parameters.get(p + "self_attn.o_proj.weight"),
              parameters.get(p + "self_attn.o_proj.bias"),
              parameters.get(p + "self_attn.q_norm.weight"),
              parameters.get(p + "self_attn.k_norm.weight"),
              parameters.get(p + "post_attention_layernorm.weight"),
              parameters.get(p + "mlp.gate_proj.weight"),
              parameters.get(p + "mlp.up_proj.weight"),
              parameters.get(p + "mlp.down_proj.weight"));
    }
    this.embedTokens = parameters.get("model.embed_tokens.weight");
    this.finalNorm = parameters.get("model.norm.weight");
    this.lmHead = config.tieWordEmbeddings() ? embedTokens : parameters.get("lm_head.weight");
    int hd = config.headDim();
    this.rmsEps = constant(config.rmsNormEps());
    this.attnScale = constant(1.0 / Math.sqrt(hd));
    double[] rot = new double[hd * hd];
    int half = hd / 2;
    for (int j = 0; j < half; j++) {
      rot[(j + half) * hd + j] = -1; // out[j] = -x[j + half]
      rot[j * hd + j + half] = 1; // out[j + half] = x[j]
    }
    this.rotateHalf = constantArray(rot, new Shape(hd, hd));
    this.inverseFrequencies = RotaryEmbedding.inverseFrequencies(config);
  }

  /**
   * The parameter names and shapes of a configuration, in Hugging Face naming and checkpoint order.
   */
  public static Map<String, Shape> parameterShapes(ModelConfig c) {
    Map<String, Shape> s = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    s.put("model.embed_tokens.weight", new Shape(c.vocabSize(), h));
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      s.put(p + "input_layernorm.weight", new Shape(h));
      s.put(p + "self_attn.q_proj.weight", new Shape(q, h));
      s.put(p + "self_attn.k_proj.weight", new Shape(kv, h));
      s.put(p + "self_attn.v_proj.weight", new Shape(kv, h));
      if (c.attentionBias()) {
        s.put(p + "self_attn.q_proj.bias", new Shape(q));
        s.put(p + "self_attn.k_proj.bias", new Shape(kv));
        s.put(p + "self_attn.v_proj.bias", new Shape(kv));
      }
      s.put(p + "self_attn.o_proj.weight", new Shape(h, q));
      if (c.outputBias()) {
        s.put(p + "self_attn.o_proj.bias", new Shape(h));
      }
      if (c.qkNorm()) {
        s.put(p + "self_attn.q_norm.weight", new Shape(c.headDim()));
        s.put(p + "self_attn.k_norm.weight", new Shape(c.headDim()));
      }
      s.put(p + "post_attention_layernorm.weight", new Shape(h));
      s.put(p + "mlp.gate_proj.weight", new Shape(c.intermediateSize(), h));
      s.put(p + "mlp.up_proj.weight", new Shape(c.intermediateSize(), h));
      s.put(p + "mlp.down_proj.weight", new Shape(h, c.intermediateSize()));
    }
    s.put("model.norm.weight", new Shape(h));
    if (!c.tieWordEmbeddings()) {
      s.put("lm_head.weight", new Shape(c.vocabSize(), h));
    }
    return s;
  }

  /** Source of parameter values when building a model. */
  @FunctionalInterface
  public interface ParameterSource {
    /** Returns the values of {@code name} (row-major, {@code shape.size()} long). */
    double[] values(String name, Shape shape);

    /** The same values as floats; sources that hold floats override this to avoid a copy. */
    default float[] floats(String name, Shape shape) {
      return toFloat(values(name, shape));
    }
  }

  /**
   * Loads a Hugging Face model folder: {@code config.json} and {@code model.safetensors} (or a
   * sharded checkpoint with {@code model.safetensors.index.json}); F32, F16 and BF16 weights are
   * widened to the requested type.
   *
   * @throws ModelFormatException naming the file and tensor for an unknown model_type, a missing
   *     tensor, a shape mismatch, or a truncated or corrupt checkpoint
   */
  public static CausalLm load(Path folder, NDManager parent, DataType dataType) {
    ModelConfig config = ModelConfig.read(folder);
    try (TensorStore store = TensorStore.open(folder)) {
      ParameterSource source =
          new ParameterSource() {
            @Override
            public double[] values(String name, Shape shape) {
              check(name, shape);
              return store.readDouble(name);
            }

            @Override
            public float[] floats(String name, Shape shape) {
              check(name, shape);
              return store.readFloat(name);
            }

            private void check(String name, Shape shape) {
              if (!store.contains(name)) {
                throw new ModelFormatException(
                    "tensor '"
                        + name
                        + "' is missing from "
                        + store.source()
                        + " (config.json describes a "
                        + config.modelType()
                        + " model with "
                        + config.numLayers()
                        + " layers)");
              }
              long[] actual = store.info(name).shape();
              if (!java.util.Arrays.equals(actual, shape.getShape())) {
                throw new ModelFormatException(
                    "tensor '"
                        + name
                        + "' in "
                        + store.info(name).file()
                        + " has shape "
                        + java.util.Arrays.toString(actual)
                        + " but config.json implies "
                        + java.util.Arrays.toString(shape.getShape()));
              }
            }
          };
      return create(config, source, parent, dataType);
    } catch (SafetensorsException e) {
      throw new ModelFormatException(folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * Saves this model as a Hugging Face folder that transformers and vLLM load: {@code config.json}
   * and {@code model.safetensors} (F32, Hugging Face tensor names). Tokenizer files are the
   * caller's to copy.
   */
  public void save(Path folder) throws IOException {
    Files.createDirectories(folder);
    config.write(folder);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    parameters.forEach(
        (name, p) -> {
          float[] data =
              p.getDataType() == DataType.FLOAT32 ? p.toFloatArray() : toFloat(toDoubles(p));
          tensors.put(name, new TensorData(data, p.getShape().getShape()));
        });
    new SafetensorsWriter().writeFile(folder.resolve(TensorStore.SINGLE_FILE), tensors);
  }

  /**
   * Builds a model from parameter values.
   *
   * @param parent the manager the model's own sub-manager hangs from
   * @param dataType FLOAT32 for training and inference, FLOAT64 for gradient checks
   */
  public static CausalLm create(
      ModelConfig config, ParameterSource source, NDManager parent, DataType dataType) {
    if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
      throw new IllegalArgumentException("dataType must be FLOAT32 or FLOAT64, got " + dataType);
    }
    NDManager m = parent.newSubManager();
    try {
      Map<String, NDArray> params = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
        double[] wide =
            dataType == DataType.FLOAT64 ? source.values(e.getKey(), e.getValue()) : null;
        float[] narrow = wide == null ? source.floats(e.getKey(), e.getValue()) : null;
        long size = wide != null ? wide.length : narrow.length;
        if (size != e.getValue().size()) {
          throw new ModelFormatException(
              "tensor '"
                  + e.getKey()
                  + "' has "
                  + size
                  + " values, expected "
                  + e.getValue().size()
                  + " for shape "
                  + e.getValue());
        }
        NDArray a =
            wide != null
                ? HostArrays.doubles(m, wide, e.getValue())
                : HostArrays.floats(m, narrow, e.getValue());
        a.setName(e.getKey());
        params.put(e.getKey(), a);
      }
      return new CausalLm(config, dataType, m, params);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /**
   * A randomly initialised model: normal(0, 0.02) weights, zero biases, unit norms; the same seed
   * gives the same weights.
   */
  public static CausalLm random(ModelConfig config, long seed, NDManager parent, DataType type) {
    return create(config, randomSource(seed, 0.02), parent, type);
  }

  /** The random initialisation of {@link #random}, usable for other dtypes or checks. */
  public static ParameterSource randomSource(long seed, double std) {
    return (name, shape) -> {
      double[] v = new double[(int) shape.size()];
      if (name.endsWith("norm.weight")) {
        java.util.Arrays.fill(v, 1.0);
      } else if (!name.endsWith(".bias")) {
        SplittableRandom r = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
        for (int i = 0; i < v.length; i++) {
          v[i] = gaussian(r) * std;
        }
      }
      return v;
    };
  }

  private static double gaussian(SplittableRandom r) {
    double u1 = r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  public ModelConfig config() {
    return config;
  }

  public DataType dataType() {
    return dataType;
  }

  /** Parameters by Hugging Face name, in checkpoint order (tied heads appear once). */
  public Map<String, NDArray> parameters() {
    return parameters;
  }

  /** Marks every parameter as trainable (gradients collected by a GradientCollector). */
  public void enableGradients() {
    parameters.values().forEach(p -> p.setRequiresGradient(true));
  }

  /**
   * Runs the model over new tokens.
   *
   * @param m the manager for every array this pass creates (close it after use)
   * @param input ids, positions and mask of the new tokens
   * @param cache keys/values of earlier tokens, extended in place; null for a full pass
   * @return logits (B, T, V) in {@code m}
   */
  public NDArray forward(NDManager m, ForwardInput input, KvCache cache) {
    int b = input.batch();
    int t = input.length();
    int hd = config.headDim();
    int nh = config.numHeads();
    int nkv = config.numKvHeads();
    int r = config.groupSize();
    NDArray ids = HostArrays.longs(m, input.ids(), new Shape(b, t)); // (B, T) int64
    NDArray[] rope =
        RotaryEmbedding.cosSin(m, inverseFrequencies, input.positions(), b, t, dataType);
    NDArray cos = rope[0]; // (B, T, 1, hd)
    NDArray sin = rope[1]; // (B, T, 1, hd)
    int past = cache == null ? 0 : cache.length();
    int s = past + t;
    NDArray mask = AttentionMask.additive(m, input.keyMask(), b, t, s, dataType); // (B,1,1,T,S)

    NDArray x = ids.getNDArrayInternal().embedding(ids, embedTokens, SparseFormat.DENSE).head();
    for (int i = 0; i < layers.length; i++) {
      Layer l = layers[i];
      NDArray h = rmsNorm(x, l.inputNorm); // (B, T, H)
      NDArray q = linear(h, l.q, l.qBias).reshape(b, t, nh, hd);
      NDArray k = linear(h, l.k, l.kBias).reshape(b, t, nkv, hd);
      NDArray v = linear(h, l.v, l.vBias).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3);
      if (l.qNorm != null) {
        q = rmsNorm(q, l.qNorm);
        k = rmsNorm(k, l.kNorm);
      }
      q = applyRope(q, cos, sin).mul(attnScale); // (B, T, nH, hd)
      NDArray kt = applyRope(k, cos, sin).transpose(0, 2, 3, 1); // (B, nKV, hd, T)
      if (cache != null) {
        // The cache owns its arrays; ops below always take an activation as first operand so
        // their results land in m, not in the cache's manager.
        NDArray[] kv = cache.append(m, i, kt, v);
        kt = kv[0]; // (B, nKV, hd, S)
        v = kv[1]; // (B, nKV, S, hd)
      }
      // Grouped-query attention without repeating k/v: query head j uses kv head j / r.
      q = q.transpose(0, 2, 1, 3).reshape(b, nkv, r * t, hd);
      NDArray att = q.matMul(kt); // (B, nKV, r*T, S)
      att = att.reshape(b, nkv, r, t, s).add(mask).softmax(-1);
      NDArray y = att.reshape(b, nkv, r * t, s).matMul(v); // (B, nKV, r*T, hd)
      y = y.reshape(b, nh, t, hd).transpose(0, 2, 1, 3).reshape(b, t, nh * hd);
      x = x.add(linear(y, l.o, l.oBias)); // (B, T, H)
      h = rmsNorm(x, l.postNorm);
      NDArray gate = linear(h, l.gate, null); // (B, T, I)
      NDArray up = linear(h, l.up, null);
      x = x.add(linear(gate.mul(Activation.sigmoid(gate)).mul(up), l.down, null));
    }
    if (cache != null) {
      cache.advance(t);
    }
    return linear(rmsNorm(x, finalNorm), lmHead, null); // (B, T, V)
  }

  /** Convenience: full forward pass over left-padded ids (B, T) with a 0/1 attention mask. */
  public NDArray forward(NDManager m, int[][] ids, int[][] attentionMask) {
    return forward(m, ForwardInput.of(ids, attentionMask), null);
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    // x * rsqrt(mean(x^2) + eps) * weight, over the last axis
    NDArray ms = x.mul(x).mean(new int[] {-1}, true).add(rmsEps);
    return x.div(ms.sqrt()).mul(weight);
  }

  private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal().linear(x, weight, bias).head();
  }

  private NDArray applyRope(NDArray x, NDArray cos, NDArray sin) {
    // x * cos + rotate_half(x) * sin, with rotate_half as a matmul by a constant
    return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
  }

  private NDArray constant(double value) {
    return HostArrays.scalar(manager, value, dataType);
  }

  private NDArray constantArray(double[] values, Shape shape) {
    return HostArrays.reals(manager, values, shape, dataType);
  }

  static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  /** Rotary inverse frequencies, (hd/2). */
  double[] inverseFrequencies() {
    return inverseFrequencies;
  }

  /** The manager holding the parameters (for optimizer state that must live as long). */
  NDManager manager() {
    return manager;
  }

  /** Number of arrays owned by this model (parameters, constants): a leak check for tests. */
  public int ownedArrayCount() {
    return manager.getManagedArrays().size();
  }

  @Override
  public void close() {
    manager.close();
  }

  /** Copies every parameter into a new model in another data type (e.g. fp64 for checks). */
  public CausalLm copy(NDManager parent, DataType type) {
    Map<String, double[]> values = new LinkedHashMap<>();
    parameters.forEach((n, p) -> values.put(n, toDoubles(p)));
    return create(config, (n, s) -> values.get(n), parent, type);
  }

  /** Reads any float array's values as doubles without allocating NDArrays. */
  static double[] toDoubles(NDArray a) {
    if (a.getDataType() == DataType.FLOAT64) {
      return a.toDoubleArray();
    }
    float[] f = a.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static NDArray concat(NDArray a, NDArray b, int axis) {
    return NDArrays.concat(new NDList(a, b), axis);
  }
}
