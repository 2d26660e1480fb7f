package dev.r1.model;

/**
 * The new tokens of one forward pass, flattened row-major.
 *
 * @param batch B
 * @param length T, the number of new tokens per row
 * @param ids token ids (B*T)
 * @param positions rotary positions of the new tokens (B*T)
 * @param keyMask 1 for real tokens, 0 for padding, over all past and new keys (B*S, S = past+T)
 */
public record ForwardInput(int batch, int length, long[] ids, int[] positions, int[] keyMask) {

  public ForwardInput {
    if (ids.length != (long) batch * length || positions.length != ids.length) {
      throw new IllegalArgumentException(
          "ids and positions must hold batch*length = " + batch * length + " entries");
    }
    if (keyMask.length % batch != 0 || keyMask.length / batch < length) {
      throw new IllegalArgumentException(
          "keyMask must hold batch*(past+length) entries, got " + keyMask.length);
    }
  }

  /**
   * A full pass over left-padded rows: positions = clamp(cumsum(mask) - 1, 0), as Hugging Face
   * computes them.
   */
  public static ForwardInput of(int[][] ids, int[][] attentionMask) {
    int b = ids.length;
    if (b == 0) {
      throw new IllegalArgumentException("ids must hold at least one row");
    }
    int t = ids[0].length;
    long[] flat = new long[b * t];
    int[] pos = new int[b * t];
    int[] mask = new int[b * t];
    for (int i = 0; i < b; i++) {
      if (ids[i].length != t || attentionMask[i].length != t) {
        throw new IllegalArgumentException(
            "row "
                + i
                + " has "
                + ids[i].length
                + " ids and "
                + attentionMask[i].length
                + " mask entries; every row needs "
                + t);
      }
      int seen = 0;
      for (int j = 0; j < t; j++) {
        flat[i * t + j] = ids[i][j];
        seen += attentionMask[i][j];
        mask[i * t + j] = attentionMask[i][j];
        pos[i * t + j] = Math.max(seen - 1, 0);
      }
    }
    return new ForwardInput(b, t, flat, pos, mask);
  }
}
