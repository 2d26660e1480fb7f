package dev.r1.training.sft;

import java.util.List;

/**
 * A padded SFT batch: ids and attention mask (B, T), and the loss mask over the (B, T-1) next-token
 * positions: 1 where the predicted token is a response token.
 */
record SftBatch(int[][] ids, int[][] attentionMask, double[] lossMask, long responseTokens) {

  static SftBatch of(List<SftExample> examples, Padding padding, int padId) {
    int b = examples.size();
    int t = 0;
    for (SftExample e : examples) {
      t = Math.max(t, e.length());
    }
    int[][] ids = new int[b][t];
    int[][] mask = new int[b][t];
    double[] loss = new double[b * (t - 1)];
    long count = 0;
    for (int i = 0; i < b; i++) {
      SftExample e = examples.get(i);
      int off = padding == Padding.LEFT ? t - e.length() : 0;
      java.util.Arrays.fill(ids[i], padId);
      System.arraycopy(e.prompt(), 0, ids[i], off, e.prompt().length);
      System.arraycopy(e.response(), 0, ids[i], off + e.prompt().length, e.response().length);
      for (int j = off; j < off + e.length(); j++) {
        mask[i][j] = 1;
      }
      int firstResponse = off + e.prompt().length;
      for (int j = firstResponse; j < off + e.length(); j++) {
        loss[i * (t - 1) + j - 1] = 1; // position j-1 predicts token j
        count++;
      }
    }
    return new SftBatch(ids, mask, loss, count);
  }

  int tokens() {
    int n = 0;
    for (int[] row : attentionMask) {
      for (int v : row) {
        n += v;
      }
    }
    return n;
  }
}
