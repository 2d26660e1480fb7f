package dev.r1.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.r1.model.CausalLm;
import dev.r1.model.ForwardInput;
import dev.r1.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched autoregressive generation with a KV cache: prompts are left-padded, prefilled in one
 * pass, then decoded one token per row per step until every row stops or reaches its limit.
 */
public final class Generator {

  private final CausalLm model;
  private final int padId;

  /**
   * @param padId the id fed for padding and for rows that already stopped (never attended to)
   */
  public Generator(CausalLm model, int padId) {
    this.model = model;
    this.padId = padId;
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
      for (int n = 0; n < maxNew; n++) {
        int alive = 0;
        long[] next = new long[b];
        int[] positions = new int[b];
        for (int i = 0; i < b; i++) {
          next[i] = padId;
          if (stopped[i]) {
            continue;
          }
          TokenSampler.Draw d = sampler.draw(last, i * vocab, vocab, random[i]);
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
