package dev.r1.model.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Token sequences left-padded to one length, with the attention mask (1 on tokens, 0 on padding),
 * the layout decoder models take for batched generation.
 *
 * @param inputIds {@code [batch][length]} ids; padding positions hold the pad id
 * @param attentionMask {@code [batch][length]}: 1 for a real token, 0 for padding
 */
public record PaddedBatch(int[][] inputIds, int[][] attentionMask) {

  /**
   * Left-pads sequences to the longest one.
   *
   * @param sequences token ids per row (an empty row becomes all padding)
   * @param padId the id written into padding positions
   */
  public static PaddedBatch leftPad(List<int[]> sequences, int padId) {
    int length = 0;
    for (int[] s : sequences) {
      length = Math.max(length, s.length);
    }
    int[][] ids = new int[sequences.size()][length];
    int[][] mask = new int[sequences.size()][length];
    for (int row = 0; row < sequences.size(); row++) {
      int[] s = sequences.get(row);
      int offset = length - s.length;
      Arrays.fill(ids[row], 0, offset, padId);
      System.arraycopy(s, 0, ids[row], offset, s.length);
      Arrays.fill(mask[row], offset, length, 1);
    }
    return new PaddedBatch(ids, mask);
  }

  /** Number of rows. */
  public int batchSize() {
    return inputIds.length;
  }

  /** Padded length of every row. */
  public int length() {
    return inputIds.length == 0 ? 0 : inputIds[0].length;
  }
}
