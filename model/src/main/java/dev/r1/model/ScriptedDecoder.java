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
    if (!supports(model)) {
      throw new IllegalArgumentException("the scripted decoder needs a float32 model");
    }
    if (cache.capacity() == 0 || cache.length() == 0) {
      throw new IllegalArgumentException(
          "the scripted decoder needs a prefilled cache with a capacity");
    }
    ModelConfig c = model.config();
    this.module = TorchScriptModule.compile(CLASS, source(c));
    this.manager = parent.newSubManager();
    this.cache = cache;
    this.batch = keyMask.length;
    this.vocab = c.vocabSize();
    this.logits = new float[batch * vocab];
    List<PtNDArray> ws = weightList(model, manager);
    this.weights = IValue.listFrom(ws.toArray(PtNDArray[]::new));
    this.keys = IValue.listFrom(cache.keyBuffers());
    this.values = IValue.listFrom(cache.valueBuffers());
    NDArray[] tables = ropeTables(manager, model, maxPosition);
    this.cos = IValue.from((PtNDArray) tables[0]);
    this.sin = IValue.from((PtNDArray) tables[1]);
    int capacity = cache.capacity();
    float[] additive = new float[batch * capacity];
    for (int i = 0; i < batch; i++) {
      for (int s = 0; s < capacity; s++) {
        boolean padding = s < cache.length() && keyMask[i][s] == 0;
        additive[i * capacity + s] = padding ? AttentionMask.MASKED : 0f;
      }
    }
    this.mask = IValue.from((PtNDArray) manager.create(additive, new Shape(batch, 1, 1, capacity)));
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
    return IValue.from((PtNDArray) step.create(tokens, new Shape(batch, 2)));
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
              IValue draws = IValue.from((PtNDArray) step.create(u, new Shape(batch)));
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
   * layer input norm, fused qkv weight and bias, o weight and bias, q and k norms, post-attention
   * norm, fused gate/up weight, down weight (absent optional ones are skipped).
   */
  private static List<PtNDArray> weightList(CausalLm model, NDManager m) {
    ModelConfig c = model.config();
    java.util.Map<String, NDArray> p = model.parameters();
    List<PtNDArray> out = new ArrayList<>();
    NDArray embed = p.get("model.embed_tokens.weight");
    out.add((PtNDArray) embed);
    out.add((PtNDArray) p.get("model.norm.weight"));
    out.add((PtNDArray) (c.tieWordEmbeddings() ? embed : p.get("lm_head.weight")));
    for (int i = 0; i < c.numLayers(); i++) {
      String l = "model.layers." + i + ".";
      out.add((PtNDArray) p.get(l + "input_layernorm.weight"));
      out.add(
          cat(
              m,
              p,
              l + "self_attn.q_proj.weight",
              l + "self_attn.k_proj.weight",
              l + "self_attn.v_proj.weight"));
      if (c.attentionBias()) {
        out.add(
            cat(
                m,
                p,
                l + "self_attn.q_proj.bias",
                l + "self_attn.k_proj.bias",
                l + "self_attn.v_proj.bias"));
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
      out.add(cat(m, p, l + "mlp.gate_proj.weight", l + "mlp.up_proj.weight"));
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

  /** The TorchScript of a decode step for this configuration (shapes in comments). */
  static String source(ModelConfig c) {
    int nh = c.numHeads();
    int nkv = c.numKvHeads();
    int hd = c.headDim();
    int half = hd / 2;
    int inter = c.intermediateSize();
    String eps = literal(c.rmsNormEps());
    StringBuilder s = new StringBuilder();
    s.append("def rms(x: Tensor, w: Tensor, eps: float) -> Tensor:\n")
        .append("  return x / torch.sqrt(torch.mean(x * x, [-1], True) + eps) * w\n")
        .append("def rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:\n")
        .append("  rot = torch.cat([torch.neg(x.narrow(-1, ")
        .append(half)
        .append(", ")
        .append(half)
        .append(")), x.narrow(-1, 0, ")
        .append(half)
        .append(")], -1)\n")
        .append("  return x * cos + rot * sin\n")
        .append("class ")
        .append(CLASS)
        .append("(Module):\n")
        .append("  __parameters__ = []\n")
        .append("  __buffers__ = []\n")
        .append("  training : bool\n")
        .append("  def step(self, ws: List[Tensor], ks: List[Tensor], vs: List[Tensor],")
        .append(
            " tokens: Tensor, cos_t: Tensor, sin_t: Tensor, mask: Tensor, slot: int) -> Tensor:\n")
        .append("    b = tokens.size(0)\n")
        .append("    s = slot + 1\n")
        .append("    pos = tokens.select(1, 1)\n")
        .append("    cos = torch.index_select(cos_t, 0, pos).unsqueeze(1)\n") // (B, 1, hd)
        .append("    sin = torch.index_select(sin_t, 0, pos).unsqueeze(1)\n")
        .append("    m = mask.narrow(3, 0, s)\n") // (B, 1, 1, S)
        .append("    x = torch.embedding(ws[0], tokens.narrow(1, 0, 1))\n"); // (B, 1, H)
    int w = 3;
    for (int i = 0; i < c.numLayers(); i++) {
      int inNorm = w++;
      int qkvW = w++;
      String qkvB = c.attentionBias() ? "ws[" + w++ + "]" : "None";
      int oW = w++;
      String oB = c.outputBias() ? "ws[" + w++ + "]" : "None";
      int qNorm = c.qkNorm() ? w++ : -1;
      int kNorm = c.qkNorm() ? w++ : -1;
      int postNorm = w++;
      int gateUp = w++;
      int down = w++;
      s.append("    # layer ").append(i).append('\n');
      s.append("    h = __torch__.rms(x, ws[")
          .append(inNorm)
          .append("], ")
          .append(eps)
          .append(")\n");
      s.append("    qkv = torch.linear(h, ws[")
          .append(qkvW)
          .append("], ")
          .append(qkvB)
          .append(").view([b, ")
          .append(nh + 2 * nkv)
          .append(", ")
          .append(hd)
          .append("])\n"); // (B, nH + 2 nKV, hd)
      s.append("    q = qkv.narrow(1, 0, ").append(nh).append(")\n");
      s.append("    k = qkv.narrow(1, ").append(nh).append(", ").append(nkv).append(")\n");
      s.append("    v = qkv.narrow(1, ").append(nh + nkv).append(", ").append(nkv).append(")\n");
      if (c.qkNorm()) {
        s.append("    q = __torch__.rms(q, ws[")
            .append(qNorm)
            .append("], ")
            .append(eps)
            .append(")\n");
        s.append("    k = __torch__.rms(k, ws[")
            .append(kNorm)
            .append("], ")
            .append(eps)
            .append(")\n");
      }
      s.append("    q = __torch__.rope(q, cos, sin) * ")
          .append(literal(1.0 / Math.sqrt(hd)))
          .append('\n'); // (B, nH, hd)
      s.append("    ks[")
          .append(i)
          .append("].select(3, slot).copy_(__torch__.rope(k, cos, sin))\n");
      s.append("    vs[").append(i).append("].select(2, slot).copy_(v)\n");
      s.append("    att = torch.matmul(q.view([b, ")
          .append(nkv)
          .append(", ")
          .append(nh / nkv)
          .append(", ")
          .append(hd)
          .append("]), ks[")
          .append(i)
          .append("].narrow(3, 0, s))\n"); // (B, nKV, r, S)
      s.append("    att = torch.softmax(att + m, -1)\n");
      s.append("    y = torch.matmul(att, vs[")
          .append(i)
          .append("].narrow(2, 0, s)).view([b, 1, ")
          .append(nh * hd)
          .append("])\n"); // (B, 1, nH hd)
      s.append("    x = x + torch.linear(y, ws[").append(oW).append("], ").append(oB).append(")\n");
      s.append("    h = __torch__.rms(x, ws[")
          .append(postNorm)
          .append("], ")
          .append(eps)
          .append(")\n");
      s.append("    gu = torch.linear(h, ws[").append(gateUp).append("])\n"); // (B, 1, 2I)
      s.append("    g = gu.narrow(2, 0, ").append(inter).append(")\n");
      s.append("    x = x + torch.linear(g * torch.sigmoid(g) * gu.narrow(2, ")
          .append(inter)
          .append(", ")
          .append(inter)
          .append("), ws[")
          .append(down)
          .append("])\n");
    }
    s.append("    x = __torch__.rms(x, ws[1], ").append(eps).append(")\n");
    s.append("    return torch.linear(x, ws[2]).view([b, ").append(c.vocabSize()).append("])\n");
    // the step, then a draw per row by inverse CDF at u (or argmax) in double precision, with the
    // Java sampler's arithmetic: max, exp(z - max), sequential cumulative sums, u * total
    int last = c.vocabSize() - 1;
    s.append("  def sample(self, ws: List[Tensor], ks: List[Tensor], vs: List[Tensor],")
        .append(" tokens: Tensor, cos_t: Tensor, sin_t: Tensor, mask: Tensor, slot: int,")
        .append(" u: Tensor, inv_t: float, greedy: bool) -> Tensor:\n")
        .append(
            "    z = self.step(ws, ks, vs, tokens, cos_t, sin_t, mask, slot).double() * inv_t\n")
        .append("    top = torch.amax(z, [-1], True)\n") // (B, 1)
        .append("    cdf = torch.cumsum(torch.exp(z - top), -1)\n") // (B, V)
        .append("    total = cdf.narrow(1, ")
        .append(last)
        .append(", 1)\n")
        .append("    if greedy:\n")
        .append("      tok = torch.argmax(z, -1, True)\n") // (B, 1), first maximum
        .append("    else:\n")
        .append("      tok = torch.clamp_max(torch.searchsorted(cdf, u.unsqueeze(1) * total,")
        .append(" right=True), ")
        .append(last)
        .append(")\n")
        .append("    lp = torch.gather(z, 1, tok) - (top + torch.log(total))\n")
        .append("    return torch.cat([tok.double(), lp], 1)\n"); // (B, 2)
    return s.toString();
  }

  private static String literal(double v) {
    return String.format(Locale.ROOT, "%.17g", v);
  }
}
