package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * KV-cache decoding of one token per row as a single native call: the whole decode step of a {@link
 * CausalLm} (embedding, every layer, final norm, LM head) is TorchScript that this class writes
 * from the model's configuration and libtorch compiles once. The same step through DJL costs ~230
 * separate JNI calls, each allocating Java objects; here the interpreter runs the same aten
 * operators back to back.
 *
 * <p>It computes what {@link CausalLm#forward} computes for T = 1 (the decode step's tests compare
 * the two within 1e-4), with two differences in form only: q, k and v come from one matrix product
 * over their concatenated weights, and so do the MLP's gate and up projections.
 *
 * <p>Use: prefill the prompt with {@link CausalLm#forward} into a {@link KvCache} with a capacity,
 * then call {@link #step} once per new token. The decoder writes each step's keys and values into
 * that cache in place. Float32 models only ({@link #supports}).
 */
public final class ScriptedDecoder implements AutoCloseable {

  /** Set {@code -Dr1.model.scriptedDecode=false} to decode through DJL operators instead. */
  public static final String ENABLED_PROPERTY = "r1.model.scriptedDecode";

  private static final String CLASS = "Decoder";

  private final PtSymbolBlock module;
  private final NDManager manager;
  private final KvCache cache;
  private final int batch;
  private final int vocab;
  private final IValue weights;
  private final IValue keys;
  private final IValue values;
  private final IValue cos;
  private final IValue sin;
  private final IValue mask;
  private final float[] logits;
  private final int maxPosition;

  /** Models up to this many parameters decode with fused q/k/v and gate/up weights. */
  static final long FUSE_LIMIT_PARAMETERS = 50_000_000L;

  /**
   * Whether {@code model} can decode through this class: float32 and not switched off by {@link
   * #ENABLED_PROPERTY}.
   */
  public static boolean supports(CausalLm model) {
    return model.dataType() == DataType.FLOAT32
        && !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY));
  }

  /**
   * A decoder over a prefilled cache.
   *
   * @param parent the manager of this generation (fused weights, tables and mask live under it)
   * @param cache the cache the prompt was prefilled into; must have a capacity
   * @param keyMask (B, capacity) 0/1: which positions are real tokens; positions after the prompt
   *     are attended as they are written, so only the prompt's padding needs to be 0 there
   * @param maxPosition one more than the largest rotary position any row will use
   */
  public ScriptedDecoder(
      CausalLm model, NDManager parent, KvCache cache, int[][] keyMask, int maxPosition) {
    this(model, parent, cache, keyMask, maxPosition, fuses(model));
  }

  /** As the public constructor, with fused weights or not regardless of the model's size. */
  ScriptedDecoder(
      CausalLm model,
      NDManager parent,
      KvCache cache,
      int[][] keyMask,
      int maxPosition,
      boolean fused) {
    if (!supports(model)) {
      throw new IllegalArgumentException("the scripted decoder needs a float32 model");
    }
    if (cache.capacity() == 0 || cache.length() == 0) {
      throw new IllegalArgumentException(
          "the scripted decoder needs a prefilled cache with a capacity");
    }
    PtNDArray[] keyBuffers = cache.keyBuffers();
    long cacheBatch = keyBuffers[0].getShape().get(0);
    if (keyMask.length != cacheBatch) {
      throw new IllegalArgumentException(
          "keyMask has " + keyMask.length + " rows but the cache holds " + cacheBatch);
    }
    for (int i = 0; i < keyMask.length; i++) {
      if (keyMask[i].length < cache.length()) {
        throw new IllegalArgumentException(
            "keyMask row "
                + i
                + " has "
                + keyMask[i].length
                + " entries; the prefilled cache holds "
                + cache.length());
      }
    }
    if (maxPosition < 1) {
      throw new IllegalArgumentException("maxPosition must be at least 1, got " + maxPosition);
    }
    ModelConfig c = model.config();
    this.module = TorchScriptModule.compile(CLASS, source(c, fused));
    this.cache = cache;
    this.batch = keyMask.length;
    this.vocab = c.vocabSize();
    this.maxPosition = maxPosition;
    this.logits = new float[batch * vocab];
    this.manager = parent.newSubManager();
    List<IValue> made = new ArrayList<>();
    try {
      this.weights =
          keep(made, IValue.listFrom(weightList(model, manager, fused).toArray(PtNDArray[]::new)));
      this.keys = keep(made, IValue.listFrom(keyBuffers));
      this.values = keep(made, IValue.listFrom(cache.valueBuffers()));
      NDArray[] tables = ropeTables(manager, model, maxPosition);
      this.cos = keep(made, IValue.from((PtNDArray) tables[0]));
      this.sin = keep(made, IValue.from((PtNDArray) tables[1]));
      int capacity = cache.capacity();
      float[] additive = new float[batch * capacity];
      for (int i = 0; i < batch; i++) {
        for (int s = 0; s < capacity; s++) {
          boolean padding = s < cache.length() && keyMask[i][s] == 0;
          additive[i * capacity + s] = padding ? AttentionMask.MASKED : 0f;
        }
      }
      this.mask =
          keep(
              made,
              IValue.from(
                  (PtNDArray)
                      HostArrays.floats(manager, additive, new Shape(batch, 1, 1, capacity))));
    } catch (RuntimeException e) {
      made.forEach(IValue::close);
      manager.close();
      throw e;
    }
  }

  private static IValue keep(List<IValue> made, IValue v) {
    made.add(v);
    return v;
  }

  /**
   * Whether a generation concatenates q/k/v and gate/up weights into one matrix each (one GEMM
   * instead of three and two). The copy is made per generation, so only for models up to {@link
   * #FUSE_LIMIT_PARAMETERS} parameters, where it costs little next to the decode it speeds up.
   */
  static boolean fuses(CausalLm model) {
    return model.config().parameterCount() <= FUSE_LIMIT_PARAMETERS;
  }

  /**
   * Runs one decode step: row i's token {@code ids[i]} at rotary position {@code positions[i]},
   * written to the next cache slot.
   *
   * @return logits (B, V) row-major, in a buffer this decoder reuses on the next call
   */
  public float[] step(long[] ids, int[] positions) {
    run(
        ids,
        positions,
        step -> {
          try (IValue tokens = tokensOf(step, ids, positions);
              IValue slot = slotValue();
              IValue out =
                  IValueUtils.runMethod(
                      module, "step", weights, keys, values, tokens, cos, sin, mask, slot)) {
            out.toTensor((PtNDManager) step) // (B, V)
                .toByteBuffer()
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer()
                .get(logits);
          }
        });
    return logits;
  }

  /** Checks the inputs, runs {@code call} in a manager closed after it, and advances the cache. */
  private void run(long[] ids, int[] positions, java.util.function.Consumer<NDManager> call) {
    if (ids.length != batch || positions.length != batch) {
      throw new IllegalArgumentException(
          "a step needs "
              + batch
              + " ids and positions, got "
              + ids.length
              + " and "
              + positions.length);
    }
    for (int i = 0; i < batch; i++) {
      if (positions[i] < 0 || positions[i] >= maxPosition) {
        throw new IllegalArgumentException(
            "positions["
                + i
                + "] is "
                + positions[i]
                + "; this decoder's rotary tables cover [0, "
                + maxPosition
                + ")");
      }
    }
    int slot = cache.length();
    if (slot >= cache.capacity()) {
      throw new IllegalStateException(
          "the KV cache holds "
              + cache.capacity()
              + " positions; "
              + (slot + 1)
              + " were asked for");
    }
    try (NDManager step = manager.newSubManager()) {
      call.accept(step);
    }
    cache.advance(1);
  }

  /** (B, 2): each row's token id and rotary position. */
  private IValue tokensOf(NDManager step, long[] ids, int[] positions) {
    long[] tokens = new long[2 * batch];
    for (int i = 0; i < batch; i++) {
      tokens[2 * i] = ids[i];
      tokens[2 * i + 1] = positions[i];
    }
    return IValue.from((PtNDArray) HostArrays.longs(step, tokens, new Shape(batch, 2)));
  }

  private IValue slotValue() {
    return IValue.from((long) cache.length());
  }

  /**
   * Runs one decode step and draws each row's next token in the same native call, the way the Java
   * sampler draws without top-k or top-p: the first token whose cumulative probability (of
   * softmax(logits / temperature), in vocabulary order) exceeds {@code u[i]}, or the first maximum
   * when greedy. Only the drawn tokens and their log-probs leave libtorch.
   *
   * @param u one uniform draw in [0, 1) per row (ignored when greedy); row i's token is the first
   *     whose cumulative weight exceeds {@code u[i]} times the total, as TokenSampler draws
   * @param temperature above 0; ignored when greedy
   * @return per row, the token and its log-prob under the distribution drawn from, as {@code
   *     [token0, logprob0, token1, logprob1, ...]}
   */
  public double[] sample(
      long[] ids, int[] positions, double[] u, double temperature, boolean greedy) {
    if (u.length != batch) {
      throw new IllegalArgumentException("sample needs " + batch + " draws, got " + u.length);
    }
    double invT = greedy ? 1.0 : 1.0 / temperature;
    double[] out = new double[2 * batch];
    run(
        ids,
        positions,
        step -> {
          try (IValue tokens = tokensOf(step, ids, positions);
              IValue slot = slotValue();
              IValue draws =
                  IValue.from((PtNDArray) HostArrays.doubles(step, u, new Shape(batch)));
              IValue inv = IValue.from(invT);
              IValue g = IValue.from(greedy);
              IValue res =
                  IValueUtils.runMethod(
                      module, "sample", weights, keys, values, tokens, cos, sin, mask, slot, draws,
                      inv, g)) {
            res.toTensor((PtNDManager) step)
                .toByteBuffer()
                .order(ByteOrder.nativeOrder())
                .asDoubleBuffer()
                .get(out);
          }
        });
    return out;
  }

  @Override
  public void close() {
    weights.close();
    keys.close();
    values.close();
    cos.close();
    sin.close();
    mask.close();
    manager.close();
  }

  /**
   * The weights in the order the script indexes them: embedding, final norm, LM head, then per
   * layer input norm, q/k/v weights and biases (fused: one matrix, one bias), o weight and bias, q
   * and k norms, post-attention norm, gate and up weights (fused: one matrix), down weight; absent
   * optional ones are skipped.
   */
  private static List<PtNDArray> weightList(CausalLm model, NDManager m, boolean fused) {
    ModelConfig c = model.config();
    java.util.Map<String, NDArray> p = model.parameters();
    List<PtNDArray> out = new ArrayList<>();
    NDArray embed = p.get("model.embed_tokens.weight");
    out.add((PtNDArray) embed);
    out.add((PtNDArray) p.get("model.norm.weight"));
    out.add((PtNDArray) (c.tieWordEmbeddings() ? embed : p.get("lm_head.weight")));
    for (int i = 0; i < c.numLayers(); i++) {
      String l = "model.layers." + i + ".";
      String[] qkv = {l + "self_attn.q_proj.", l + "self_attn.k_proj.", l + "self_attn.v_proj."};
      out.add((PtNDArray) p.get(l + "input_layernorm.weight"));
      if (fused) {
        out.add(cat(m, p, qkv[0] + "weight", qkv[1] + "weight", qkv[2] + "weight"));
        if (c.attentionBias()) {
          out.add(cat(m, p, qkv[0] + "bias", qkv[1] + "bias", qkv[2] + "bias"));
        }
      } else {
        for (String proj : qkv) {
          out.add((PtNDArray) p.get(proj + "weight"));
          if (c.attentionBias()) {
            out.add((PtNDArray) p.get(proj + "bias"));
          }
        }
      }
      out.add((PtNDArray) p.get(l + "self_attn.o_proj.weight"));
      if (c.outputBias()) {
        out.add((PtNDArray) p.get(l + "self_attn.o_proj.bias"));
      }
      if (c.qkNorm()) {
        out.add((PtNDArray) p.get(l + "self_attn.q_norm.weight"));
        out.add((PtNDArray) p.get(l + "self_attn.k_norm.weight"));
      }
      out.add((PtNDArray) p.get(l + "post_attention_layernorm.weight"));
      if (fused) {
        out.add(cat(m, p, l + "mlp.gate_proj.weight", l + "mlp.up_proj.weight"));
      } else {
        out.add((PtNDArray) p.get(l + "mlp.gate_proj.weight"));
        out.add((PtNDArray) p.get(l + "mlp.up_proj.weight"));
      }
      out.add((PtNDArray) p.get(l + "mlp.down_proj.weight"));
    }
    return out;
  }

  private static PtNDArray cat(NDManager m, java.util.Map<String, NDArray> p, String... names) {
    NDList parts = new NDList();
    for (String n : names) {
      parts.add(p.get(n));
    }
    NDArray fused = NDArrays.concat(parts, 0);
    fused.attach(m);
    return (PtNDArray) fused;
  }

  /** cos and sin of position * inv_freq for positions [0, n), as RotaryEmbedding computes them. */
  private static NDArray[] ropeTables(NDManager m, CausalLm model, int n) {
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      positions[i] = i;
    }
    NDArray[] cs =
        RotaryEmbedding.cosSin(m, model.inverseFrequencies(), positions, 1, n, DataType.FLOAT32);
    int hd = model.config().headDim();
    return new NDArray[] {cs[0].reshape(n, hd), cs[1].reshape(n, hd)};
  }

  /** The TorchScript of a decode step for this configuration, fused as {@link #fuses} says. */
  static String source(ModelConfig c, boolean fused) {
    int nh = c.numHeads();
    int nkv = c.numKvHeads();
    int hd = c.headDim();
    int half = hd / 2;
    int inter = c.intermediateSize();
    int last = c.vocabSize() - 1;
    String eps = literal(c.rmsNormEps());
    Script s = new Script();
    s.line("def rms(x: Tensor, w: Tensor, eps: float) -> Tensor:");
    s.line("  return x / torch.sqrt(torch.mean(x * x, [-1], True) + eps) * w");
    s.line("def rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:"); // rotate_half
    s.line(
        "  rot = torch.cat([torch.neg(x.narrow(-1, %d, %d)), x.narrow(-1, 0, %d)], -1)",
        half, half, half);
    s.line("  return x * cos + rot * sin");
    s.line("class %s(Module):", CLASS);
    s.line("  __parameters__ = []");
    s.line("  __buffers__ = []");
    s.line("  training : bool");
    s.line(
        "  def step(self, ws: List[Tensor], ks: List[Tensor], vs: List[Tensor], tokens: Tensor,");
    s.line("      cos_t: Tensor, sin_t: Tensor, mask: Tensor, slot: int) -> Tensor:");
    s.line("    b = tokens.size(0)");
    s.line("    s = slot + 1");
    s.line("    pos = tokens.select(1, 1)");
    s.line("    cos = torch.index_select(cos_t, 0, pos).unsqueeze(1)"); // (B, 1, hd)
    s.line("    sin = torch.index_select(sin_t, 0, pos).unsqueeze(1)");
    s.line("    m = mask.narrow(3, 0, s)"); // (B, 1, 1, S)
    s.line("    x = torch.embedding(ws[0], tokens.narrow(1, 0, 1))"); // (B, 1, H)
    int w = 3;
    for (int i = 0; i < c.numLayers(); i++) {
      s.line("    # layer %d", i);
      s.line("    h = __torch__.rms(x, ws[%d], %s)", w++, eps);
      if (fused) {
        int qkv = w++;
        String bias = c.attentionBias() ? "ws[" + w++ + "]" : "None";
        s.line(
            "    qkv = torch.linear(h, ws[%d], %s).view([b, %d, %d])", qkv, bias, nh + 2 * nkv, hd);
        s.line("    q = qkv.narrow(1, 0, %d)", nh); // (B, nH, hd)
        s.line("    k = qkv.narrow(1, %d, %d)", nh, nkv); // (B, nKV, hd)
        s.line("    v = qkv.narrow(1, %d, %d)", nh + nkv, nkv);
      } else {
        String[] names = {"q", "k", "v"};
        int[] heads = {nh, nkv, nkv};
        for (int j = 0; j < 3; j++) {
          int weight = w++;
          String bias = c.attentionBias() ? "ws[" + w++ + "]" : "None";
          s.line(
              "    %s = torch.linear(h, ws[%d], %s).view([b, %d, %d])",
              names[j], weight, bias, heads[j], hd);
        }
      }
      int o = w++;
      String oBias = c.outputBias() ? "ws[" + w++ + "]" : "None";
      if (c.qkNorm()) {
        s.line("    q = __torch__.rms(q, ws[%d], %s)", w++, eps);
        s.line("    k = __torch__.rms(k, ws[%d], %s)", w++, eps);
      }
      s.line("    q = __torch__.rope(q, cos, sin) * %s", literal(1.0 / Math.sqrt(hd)));
      s.line("    ks[%d].select(3, slot).copy_(__torch__.rope(k, cos, sin))", i); // (B, nKV, hd, C)
      s.line("    vs[%d].select(2, slot).copy_(v)", i); // (B, nKV, C, hd)
      s.line(
          "    att = torch.matmul(q.view([b, %d, %d, %d]), ks[%d].narrow(3, 0, s))",
          nkv, nh / nkv, hd, i); // (B, nKV, r, S)
      s.line("    att = torch.softmax(att + m, -1)");
      s.line(
          "    y = torch.matmul(att, vs[%d].narrow(2, 0, s)).view([b, 1, %d])",
          i, nh * hd); // (B, 1, nH hd)
      s.line("    x = x + torch.linear(y, ws[%d], %s)", o, oBias);
      s.line("    h = __torch__.rms(x, ws[%d], %s)", w++, eps);
      if (fused) {
        s.line("    gu = torch.linear(h, ws[%d])", w++); // (B, 1, 2I)
        s.line("    g = gu.narrow(2, 0, %d)", inter);
        s.line("    u = gu.narrow(2, %d, %d)", inter, inter);
      } else {
        s.line("    g = torch.linear(h, ws[%d])", w++); // (B, 1, I)
        s.line("    u = torch.linear(h, ws[%d])", w++);
      }
      s.line("    x = x + torch.linear(g * torch.sigmoid(g) * u, ws[%d])", w++);
    }
    s.line("    x = __torch__.rms(x, ws[1], %s)", eps);
    s.line("    return torch.linear(x, ws[2]).view([b, %d])", c.vocabSize()); // (B, V)
    // the step, then a draw per row by inverse CDF at u (or argmax) in double precision, in the
    // Java sampler's order of operations: max, exp(z - max), sequential cumulative sums, u * total
    s.line(
        "  def sample(self, ws: List[Tensor], ks: List[Tensor], vs: List[Tensor], tokens: Tensor,");
    s.line("      cos_t: Tensor, sin_t: Tensor, mask: Tensor, slot: int, u: Tensor, inv_t: float,");
    s.line("      greedy: bool) -> Tensor:");
    s.line("    z = self.step(ws, ks, vs, tokens, cos_t, sin_t, mask, slot).double() * inv_t");
    s.line("    top = torch.amax(z, [-1], True)"); // (B, 1)
    s.line("    cdf = torch.cumsum(torch.exp(z - top), -1)"); // (B, V)
    s.line("    total = cdf.narrow(1, %d, 1)", last);
    s.line("    if greedy:");
    s.line("      tok = torch.argmax(z, -1, True)"); // (B, 1), the first maximum
    s.line("    else:");
    s.line(
        "      tok = torch.clamp_max(torch.searchsorted(cdf, u.unsqueeze(1) * total, right=True), %d)",
        last);
    s.line("    lp = (torch.gather(z, 1, tok) - top) - torch.log(total)");
    s.line("    return torch.cat([tok.double(), lp], 1)"); // (B, 2)
    return s.toString();
  }

  /** TorchScript source, one formatted line at a time. */
  private static final class Script {
    private final StringBuilder text = new StringBuilder();

    void line(String format, Object... args) {
      text.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }

  private static String literal(double v) {
    return String.format(Locale.ROOT, "%.17g", v);
  }
}
