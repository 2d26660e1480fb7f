package dev.r1.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1.model.CausalLm;
import dev.r1.model.ForwardInput;
import dev.r1.model.KvCache;
import dev.r1.model.ScriptedDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batched autoregressive generation with a KV cache: prompts are left-padded, prefilled in one
 * pass, then decoded one token per row per step until every row stops or reaches its limit.
 */
public final class Generator {

  private static final Logger log = LoggerFactory.getLogger(Generator.class);
  private static final AtomicBoolean SCRIPT_FAILURE_LOGGED = new AtomicBoolean();

  private final CausalLm model;
  private final int padId;
  private final boolean scripted;
  private final int intraOpThreads;

  /**
   * A generator that decodes through {@link ScriptedDecoder} where the model supports it, with the
   * engine's intra-op thread count.
   *
   * @param padId the id fed for padding and for rows that already stopped (never attended to)
   */
  public Generator(CausalLm model, int padId) {
    this(model, padId, true, 0);
  }

  private Generator(CausalLm model, int padId, boolean scripted, int intraOpThreads) {
    this.model = model;
    this.padId = padId;
    this.scripted = scripted;
    this.intraOpThreads = intraOpThreads;
  }

  /**
   * The same generator, decoding through DJL operators one by one ({@code false}) or through one
   * TorchScript call per step where the model supports it ({@code true}, the default).
   */
  public Generator withScriptedDecoding(boolean enabled) {
    return new Generator(model, padId, enabled, intraOpThreads);
  }

  /**
   * The same generator, running its calls with {@code threads} libtorch intra-op threads (0: leave
   * the engine's setting). A decode step's operators are small, and on few cores one thread is
   * often faster than two that synchronise after every operator. The count applies to the
   * generating thread only and is restored afterwards; threads that first use libtorch while a
   * generation runs start with it too.
   */
  public Generator withIntraOpThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException(
          "threads must be >= 0 (0 = engine default), got " + threads);
    }
    return new Generator(model, padId, scripted, threads);
  }

  /**
   * The scripted decoder for this generation, or null (after one warning per process) when libtorch
   * cannot compile it, in which case decoding goes through DJL operators.
   */
  private ScriptedDecoder scriptedDecoder(
      NDManager m, KvCache cache, int[][] keyMask, int maxPosition) {
    try {
      return new ScriptedDecoder(model, m, cache, keyMask, maxPosition);
    } catch (IllegalStateException e) {
      if (SCRIPT_FAILURE_LOGGED.compareAndSet(false, true)) {
        log.warn(
            "The TorchScript decode step did not compile ({}); generations decode through DJL"
                + " operators, which is slower.",
            e.getMessage());
      }
      return null;
    }
  }

  /** Generates one completion per prompt (prompts may differ in length). */
  public List<Completion> generate(NDManager parent, List<int[]> prompts, SamplingParams params) {
    long[] streams = new long[prompts.size()];
    for (int i = 0; i < streams.length; i++) {
      streams[i] = stream(params.seed(), i);
    }
    return generate(parent, prompts, params, streams);
  }

  /**
   * The random stream of row {@code row} of a batch generated with {@code seed}: rows of one call
   * draw independently, and a row's draws depend only on (seed, row).
   */
  public static long stream(long seed, int row) {
    return seed * 0x9E3779B97F4A7C15L + row * 0xBF58476D1CE4E5B9L;
  }

  /**
   * Generates one completion per prompt, row i drawing from {@code new
   * SplittableRandom(streams[i])} ({@code params.seed()} is not used). Several seeded requests can
   * so share one batch: give each row the {@link #stream} it would have had alone.
   */
  public List<Completion> generate(
      NDManager parent, List<int[]> prompts, SamplingParams params, long[] streams) {
    int previous = intraOpThreads > 0 ? JniUtils.getNumThreads() : 0;
    if (previous > 0 && previous != intraOpThreads) {
      JniUtils.setNumThreads(intraOpThreads);
    }
    try {
      return run(parent, prompts, params, streams);
    } finally {
      if (previous > 0 && previous != intraOpThreads) {
        JniUtils.setNumThreads(previous);
      }
    }
  }

  private List<Completion> run(
      NDManager parent, List<int[]> prompts, SamplingParams params, long[] streams) {
    int b = prompts.size();
    if (streams.length != b) {
      throw new IllegalArgumentException(
          "streams has " + streams.length + " entries for " + b + " prompts");
    }
    if (b == 0) {
      return List.of();
    }
    int p = 0;
    for (int i = 0; i < b; i++) {
      if (prompts.get(i).length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      p = Math.max(p, prompts.get(i).length);
    }
    int vocab = model.config().vocabSize();
    int maxNew = params.maxNewTokens();
    int total = p + maxNew;
    // key mask over every position this batch will ever have: prompt part now, new tokens later
    int[][] keyMask = new int[b][total];
    int[][] ids = new int[b][p];
    int[] realTokens = new int[b];
    for (int i = 0; i < b; i++) {
      int[] prompt = prompts.get(i);
      int pad = p - prompt.length;
      Arrays.fill(ids[i], 0, pad, padId);
      System.arraycopy(prompt, 0, ids[i], pad, prompt.length);
      Arrays.fill(keyMask[i], pad, p, 1);
      realTokens[i] = prompt.length;
    }
    SplittableRandom[] random = new SplittableRandom[b];
    for (int i = 0; i < b; i++) {
      random[i] = new SplittableRandom(streams[i]);
    }
    TokenSampler sampler = new TokenSampler(params);
    int[][] tokens = new int[b][maxNew];
    float[][] logprobs = new float[b][maxNew];
    float[][] scaled = new float[b][maxNew];
    int[] produced = new int[b];
    boolean[] stopped = new boolean[b];

    try (NDManager m = parent.newSubManager();
        KvCache cache = new KvCache(m, model.config().numLayers(), total)) {
      float[] last;
      try (NDManager step = m.newSubManager()) {
        int[][] prefillMask = new int[b][];
        for (int i = 0; i < b; i++) {
          prefillMask[i] = Arrays.copyOf(keyMask[i], p);
        }
        NDArray logits = model.forward(step, ForwardInput.of(ids, prefillMask), cache);
        last = logits.get(new NDIndex(":, -1, :")).toFloatArray(); // (B, V)
      }
      int maxPosition = 0;
      for (int i = 0; i < b; i++) {
        maxPosition = Math.max(maxPosition, realTokens[i] + maxNew);
      }
      ScriptedDecoder decoder = null; // built at the first decode step, if one runs
      boolean tryScript = scripted && ScriptedDecoder.supports(model);
      try {
        // with a decoder and no top-k/top-p, each step also draws the next tokens natively
        boolean nativeDraws = false;
        double[] drawn = null; // [token, logprob] per row, drawn with the previous step
        for (int n = 0; n < maxNew; n++) {
          int alive = 0;
          long[] next = new long[b];
          int[] positions = new int[b];
          for (int i = 0; i < b; i++) {
            next[i] = padId;
            if (stopped[i]) {
              continue;
            }
            TokenSampler.Draw d =
                drawn == null
                    ? sampler.draw(last, i * vocab, vocab, random[i])
                    : TokenSampler.Draw.of((int) drawn[2 * i], (float) drawn[2 * i + 1]);
            tokens[i][n] = d.token();
            logprobs[i][n] = d.logprob();
            scaled[i][n] = d.scaledLogprob();
            produced[i] = n + 1;
            if (params.stopIds().contains(d.token())) {
              stopped[i] = true;
            } else {
              alive++;
            }
            next[i] = d.token();
            keyMask[i][p + n] = 1;
            positions[i] = realTokens[i];
            realTokens[i]++;
          }
          if (alive == 0 || n == maxNew - 1) {
            break;
          }
          if (tryScript && decoder == null) {
            decoder = scriptedDecoder(m, cache, keyMask, maxPosition);
            tryScript = decoder != null;
            nativeDraws = decoder != null && !sampler.truncates(vocab);
          }
          if (nativeDraws) {
            double[] u = new double[b];
            for (int i = 0; i < b; i++) {
              u[i] = stopped[i] || params.isGreedy() ? 0 : random[i].nextDouble();
            }
            drawn = decoder.sample(next, positions, u, params.temperature(), params.isGreedy());
            continue;
          }
          if (decoder != null) {
            last = decoder.step(next, positions); // (B, V)
            continue;
          }
          int s = p + n + 1;
          int[] flatMask = new int[b * s];
          for (int i = 0; i < b; i++) {
            System.arraycopy(keyMask[i], 0, flatMask, i * s, s);
          }
          try (NDManager step = m.newSubManager()) {
            NDArray logits =
                model.forward(step, new ForwardInput(b, 1, next, positions, flatMask), cache);
            last = logits.toFloatArray(); // (B, 1, V)
          }
        }
      } finally {
        if (decoder != null) {
          decoder.close();
        }
      }
    }
    List<Completion> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      int len = produced[i];
      out.add(
          new Completion(
              Arrays.copyOf(tokens[i], len),
              Arrays.copyOf(logprobs[i], len),
              Arrays.copyOf(scaled[i], len),
              stopped[i] ? "stop" : "length"));
    }
    return out;
  }
}
