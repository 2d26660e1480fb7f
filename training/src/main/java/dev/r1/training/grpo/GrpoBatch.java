package dev.r1.training.grpo;

import java.util.Arrays;
import java.util.List;

/**
 * Completions of possibly different prompts laid out as (B, T) rows: the prompt left-padded to the
 * longest prompt P, then the completion, right-padded to the longest completion C. Completion token
 * j of a row sits at column P + j, so its log-prob is column P - 1 + j of the (B, T-1) teacher
 * forced scores.
 */
final class GrpoBatch {

  /** One completion to train on. */
  record Row(int[] prompt, SampledCompletion completion, double advantage, boolean trained) {}

  final List<Row> rows;
  final int promptLength; // P
  final int completionLength; // C
  final int[][] ids;
  final int[][] attentionMask;
  final float[] completionMask; // (B*C), 1 on trained completion tokens
  final float[] behaviour; // (B*C), 0 on padding
  final float[] advantages; // (B)
  final long trainedTokens;
  final long realTokens;

  GrpoBatch(List<Row> rows, int padId) {
    this.rows = List.copyOf(rows);
    int b = rows.size();
    int p = 0;
    int c = 0;
    for (Row r : rows) {
      p = Math.max(p, r.prompt().length);
      c = Math.max(c, r.completion().tokens().length);
    }
    this.promptLength = p;
    this.completionLength = c;
    int t = p + c;
    ids = new int[b][t];
    attentionMask = new int[b][t];
    completionMask = new float[b * c];
    behaviour = new float[b * c];
    advantages = new float[b];
    long trained = 0;
    long real = 0;
    for (int i = 0; i < b; i++) {
      Row r = rows.get(i);
      int[] prompt = r.prompt();
      int[] tokens = r.completion().tokens();
      Arrays.fill(ids[i], padId);
      int off = p - prompt.length;
      System.arraycopy(prompt, 0, ids[i], off, prompt.length);
      System.arraycopy(tokens, 0, ids[i], p, tokens.length);
      Arrays.fill(attentionMask[i], off, p + tokens.length, 1);
      real += prompt.length + tokens.length;
      for (int j = 0; j < tokens.length; j++) {
        behaviour[i * c + j] = r.completion().behaviourLogprobs()[j];
        if (r.trained()) {
          completionMask[i * c + j] = 1;
          trained++;
        }
      }
      advantages[i] = (float) r.advantage();
    }
    this.trainedTokens = trained;
    this.realTokens = real;
  }

  int size() {
    return rows.size();
  }

  /** The NDIndex spec selecting the completion columns of (B, T-1) scores. */
  String completionColumns() {
    return ":, " + (promptLength - 1) + ":" + (promptLength - 1 + completionLength);
  }
}
