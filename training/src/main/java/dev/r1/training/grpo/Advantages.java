package dev.r1.training.grpo;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Group-relative advantages: {@code A_i = (r_i - mean(group)) / (std + 1e-4)} with the
 * Bessel-corrected standard deviation of the group ({@link AdvantageScale#GROUP}), of the whole
 * batch ({@link AdvantageScale#BATCH}) or no division at all ({@link AdvantageScale#NONE}).
 *
 * <p>Also the two group diagnostics of TRL and DAPO: the share of groups whose rewards have zero
 * spread (they teach nothing under GRPO) and the dynamic-sampling filter that drops them.
 */
public final class Advantages {

  /** Added to the standard deviation before dividing. */
  public static final double STD_EPSILON = 1e-4;

  /** A group whose reward standard deviation is at most this counts as "all equal" (as TRL). */
  public static final double ZERO_STD_TOLERANCE = 1e-8;

  private Advantages() {}

  /**
   * Advantages of rewards grouped by {@code groupIndex} (any order, groups need not be contiguous).
   *
   * @param rewards one reward per completion
   * @param groupIndex for each completion, the index (>= 0) of its prompt's group
   * @param scale how centred rewards are scaled
   * @return one advantage per completion, in input order
   */
  public static double[] compute(double[] rewards, int[] groupIndex, AdvantageScale scale) {
    Objects.requireNonNull(scale, "scale");
    int[][] members = members(rewards, groupIndex);
    double[] advantages = new double[rewards.length];
    double batchDivisor = 1.0;
    if (scale == AdvantageScale.BATCH) {
      if (rewards.length < 2) {
        throw new IllegalArgumentException(
            "rewards: BATCH scaling needs at least 2 rewards for a Bessel-corrected std, got "
                + rewards.length);
      }
      batchDivisor = std(rewards, mean(rewards)) + STD_EPSILON;
    }
    for (int g = 0; g < members.length; g++) {
      int[] idx = members[g];
      if (idx.length == 0) {
        continue;
      }
      double[] group = new double[idx.length];
      for (int k = 0; k < idx.length; k++) {
        group[k] = rewards[idx[k]];
      }
      double mean = mean(group);
      double divisor = batchDivisor;
      if (scale == AdvantageScale.GROUP) {
        if (idx.length < 2) {
          throw new IllegalArgumentException(
              "groupIndex: group "
                  + g
                  + " has 1 completion; GROUP scaling needs at least 2 for a Bessel-corrected std");
        }
        divisor = std(group, mean) + STD_EPSILON;
      }
      for (int k = 0; k < idx.length; k++) {
        advantages[idx[k]] = (group[k] - mean) / divisor;
      }
    }
    return advantages;
  }

  /**
   * Advantages of rewards laid out as consecutive groups of {@code groupSize} completions.
   *
   * @throws IllegalArgumentException if the length is not a multiple of {@code groupSize}
   */
  public static double[] compute(double[] rewards, int groupSize, AdvantageScale scale) {
    return compute(rewards, contiguousGroups(rewards.length, groupSize), scale);
  }

  /** Advantages of rewards given as one array per group; the result has the same layout. */
  public static List<double[]> compute(List<double[]> groups, AdvantageScale scale) {
    Flat flat = flatten(groups);
    double[] all = compute(flat.rewards, flat.groupIndex, scale);
    List<double[]> out = new ArrayList<>(groups.size());
    int offset = 0;
    for (double[] group : groups) {
      double[] a = new double[group.length];
      System.arraycopy(all, offset, a, 0, group.length);
      offset += group.length;
      out.add(a);
    }
    return out;
  }

  /** TRL's {@code frac_reward_zero_std}: the share of groups whose rewards are all equal. */
  public static double fracRewardZeroStd(List<double[]> groups) {
    if (groups.isEmpty()) {
      return 0.0;
    }
    int zero = 0;
    for (double[] group : groups) {
      if (hasZeroStd(group)) {
        zero++;
      }
    }
    return (double) zero / groups.size();
  }

  /** {@link #fracRewardZeroStd(List)} for rewards grouped by {@code groupIndex}. */
  public static double fracRewardZeroStd(double[] rewards, int[] groupIndex) {
    return fracRewardZeroStd(groupsOf(rewards, groupIndex));
  }

  /**
   * DAPO's dynamic-sampling filter: the indices (ascending) of the groups whose rewards are not all
   * equal, i.e. the groups worth training on.
   */
  public static int[] informativeGroups(List<double[]> groups) {
    return java.util.stream.IntStream.range(0, groups.size())
        .filter(g -> !hasZeroStd(groups.get(g)))
        .toArray();
  }

  /**
   * The dynamic-sampling filter per completion: {@code true} where the completion's group has
   * rewards that are not all equal.
   */
  public static boolean[] informativeCompletions(double[] rewards, int[] groupIndex) {
    int[][] members = members(rewards, groupIndex);
    boolean[] keep = new boolean[rewards.length];
    for (int[] idx : members) {
      double[] group = new double[idx.length];
      for (int k = 0; k < idx.length; k++) {
        group[k] = rewards[idx[k]];
      }
      boolean informative = !hasZeroStd(group);
      for (int i : idx) {
        keep[i] = informative;
      }
    }
    return keep;
  }

  /** Whether a group's rewards are all equal (Bessel std within {@link #ZERO_STD_TOLERANCE}). */
  static boolean hasZeroStd(double[] group) {
    if (group.length < 2) {
      return true;
    }
    return std(group, mean(group)) <= ZERO_STD_TOLERANCE;
  }

  static int[] contiguousGroups(int n, int groupSize) {
    if (groupSize <= 0) {
      throw new IllegalArgumentException("groupSize must be > 0, got " + groupSize);
    }
    if (n % groupSize != 0) {
      throw new IllegalArgumentException(
          "rewards: length " + n + " is not a multiple of groupSize " + groupSize);
    }
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i / groupSize;
    }
    return idx;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  private static double std(double[] values, double mean) {
    double ss = 0;
    for (double v : values) {
      double d = v - mean;
      ss += d * d;
    }
    return Math.sqrt(ss / (values.length - 1));
  }

  private static int[][] members(double[] rewards, int[] groupIndex) {
    Objects.requireNonNull(rewards, "rewards");
    Objects.requireNonNull(groupIndex, "groupIndex");
    if (rewards.length != groupIndex.length) {
      throw new IllegalArgumentException(
          "groupIndex: length "
              + groupIndex.length
              + " differs from rewards length "
              + rewards.length);
    }
    int groups = 0;
    for (int i = 0; i < groupIndex.length; i++) {
      if (groupIndex[i] < 0) {
        throw new IllegalArgumentException(
            "groupIndex[" + i + "] must be >= 0, got " + groupIndex[i]);
      }
      if (!Double.isFinite(rewards[i])) {
        throw new IllegalArgumentException("rewards[" + i + "] is not finite: " + rewards[i]);
      }
      groups = Math.max(groups, groupIndex[i] + 1);
    }
    int[] counts = new int[groups];
    for (int g : groupIndex) {
      counts[g]++;
    }
    int[][] members = new int[groups][];
    for (int g = 0; g < groups; g++) {
      members[g] = new int[counts[g]];
    }
    int[] fill = new int[groups];
    for (int i = 0; i < groupIndex.length; i++) {
      int g = groupIndex[i];
      members[g][fill[g]++] = i;
    }
    return members;
  }

  private static List<double[]> groupsOf(double[] rewards, int[] groupIndex) {
    int[][] members = members(rewards, groupIndex);
    List<double[]> groups = new ArrayList<>(members.length);
    for (int[] idx : members) {
      if (idx.length == 0) {
        continue;
      }
      double[] group = new double[idx.length];
      for (int k = 0; k < idx.length; k++) {
        group[k] = rewards[idx[k]];
      }
      groups.add(group);
    }
    return groups;
  }

  private static Flat flatten(List<double[]> groups) {
    Objects.requireNonNull(groups, "groups");
    int n = 0;
    for (int g = 0; g < groups.size(); g++) {
      double[] group = Objects.requireNonNull(groups.get(g), "groups[" + g + "]");
      n += group.length;
    }
    double[] rewards = new double[n];
    int[] groupIndex = new int[n];
    int offset = 0;
    for (int g = 0; g < groups.size(); g++) {
      double[] group = groups.get(g);
      System.arraycopy(group, 0, rewards, offset, group.length);
      java.util.Arrays.fill(groupIndex, offset, offset + group.length, g);
      offset += group.length;
    }
    return new Flat(rewards, groupIndex);
  }

  private record Flat(double[] rewards, int[] groupIndex) {}
}
