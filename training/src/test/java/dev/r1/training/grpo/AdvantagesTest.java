package dev.r1.training.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdvantagesTest {

  private static final double TOL = 1e-12;

  @Test
  void twoRightTwoWrongGiveSymmetricGroupAdvantages() {
    // mean 0.5, Bessel std sqrt((4 * 0.25) / 3) = sqrt(1/3) = 0.57735...
    double expected = 0.5 / (Math.sqrt(1.0 / 3.0) + 1e-4);
    assertThat(expected).isCloseTo(0.86588, within(1e-5));
    double[] a = Advantages.compute(new double[] {1, 0, 0, 1}, 4, AdvantageScale.GROUP);
    assertThat(a[0]).isCloseTo(expected, within(TOL));
    assertThat(a[1]).isCloseTo(-expected, within(TOL));
    assertThat(a[2]).isCloseTo(-expected, within(TOL));
    assertThat(a[3]).isCloseTo(expected, within(TOL));
  }

  @Test
  void noScalingOnlyCentresOnTheGroupMean() {
    double[] a = Advantages.compute(new double[] {1, 0, 0, 1, 2, 2, 5, 3}, 4, AdvantageScale.NONE);
    assertThat(a).containsExactly(new double[] {0.5, -0.5, -0.5, 0.5, -1, -1, 2, 0}, within(TOL));
  }

  @Test
  void batchScalingDividesGroupCentredRewardsByTheBatchStd() {
    // groups [1, 0] and [3, 3]; batch [1, 0, 3, 3] has mean 1.75 and Bessel std sqrt(6.75 / 3) =
    // 1.5
    double[] a = Advantages.compute(new double[] {1, 0, 3, 3}, 2, AdvantageScale.BATCH);
    assertThat(a).containsExactly(new double[] {0.5 / 1.5001, -0.5 / 1.5001, 0, 0}, within(TOL));
  }

  @Test
  void groupIndexNeedNotBeContiguous() {
    // group 0 = {1, 0}: std sqrt(0.5); group 1 = {5, 7}: std sqrt(2)
    double[] a =
        Advantages.compute(new double[] {1, 5, 0, 7}, new int[] {0, 1, 0, 1}, AdvantageScale.GROUP);
    double g0 = 0.5 / (Math.sqrt(0.5) + 1e-4);
    double g1 = 1.0 / (Math.sqrt(2.0) + 1e-4);
    assertThat(a).containsExactly(new double[] {g0, -g1, -g0, g1}, within(TOL));
  }

  @Test
  void listLayoutMatchesFlatLayout() {
    List<double[]> groups = List.of(new double[] {1, 0, 0}, new double[] {0.2, 0.9});
    List<double[]> a = Advantages.compute(groups, AdvantageScale.GROUP);
    double[] flat =
        Advantages.compute(
            new double[] {1, 0, 0, 0.2, 0.9}, new int[] {0, 0, 0, 1, 1}, AdvantageScale.GROUP);
    assertThat(a).hasSize(2);
    assertThat(a.get(0)).containsExactly(new double[] {flat[0], flat[1], flat[2]}, within(0.0));
    assertThat(a.get(1)).containsExactly(new double[] {flat[3], flat[4]}, within(0.0));
  }

  @Test
  void equalRewardsGiveZeroAdvantages() {
    // 0.7 is not exact in binary, so the mean may differ from it by an ulp: allow 1e-9
    assertThat(Advantages.compute(new double[] {0.7, 0.7, 0.7}, 3, AdvantageScale.GROUP))
        .containsExactly(new double[] {0, 0, 0}, within(1e-9));
    assertThat(Advantages.compute(new double[] {1, 1, 1, 1}, 4, AdvantageScale.GROUP))
        .containsExactly(0.0, 0.0, 0.0, 0.0);
  }

  @Test
  void fracRewardZeroStdCountsGroupsWithAllEqualRewards() {
    List<double[]> groups =
        List.of(
            new double[] {1, 1, 1},
            new double[] {0, 1, 0},
            new double[] {0, 0, 0},
            new double[] {0.5, 0.5});
    assertThat(Advantages.fracRewardZeroStd(groups)).isEqualTo(0.75);
    assertThat(
            Advantages.fracRewardZeroStd(
                new double[] {1, 0, 1, 1, 0, 1}, new int[] {0, 0, 1, 1, 2, 2}))
        .isCloseTo(1.0 / 3.0, within(TOL));
  }

  @Test
  void dynamicSamplingKeepsOnlyGroupsWithRewardSpread() {
    List<double[]> groups =
        List.of(new double[] {1, 1}, new double[] {0, 1}, new double[] {0, 0}, new double[] {3, 2});
    assertThat(Advantages.informativeGroups(groups)).containsExactly(1, 3);
    // group 0 = {1, 1} and group 1 = {0, 0} are flat; group 2 = {1, 0} varies
    boolean[] keep =
        Advantages.informativeCompletions(
            new double[] {1, 0, 1, 1, 0, 0}, new int[] {0, 1, 0, 2, 1, 2});
    assertThat(keep).containsExactly(false, false, false, true, false, true);
  }

  @Test
  void rejectsGroupScalingOfASingleCompletion() {
    assertThatThrownBy(
            () ->
                Advantages.compute(
                    new double[] {1, 0, 1}, new int[] {0, 0, 1}, AdvantageScale.GROUP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("groupIndex")
        .hasMessageContaining("group 1");
  }

  @Test
  void rejectsMismatchedLengthsAndRaggedGroups() {
    assertThatThrownBy(
            () -> Advantages.compute(new double[] {1, 0}, new int[] {0}, AdvantageScale.GROUP))
        .hasMessageContaining("groupIndex");
    assertThatThrownBy(() -> Advantages.compute(new double[] {1, 0, 1}, 2, AdvantageScale.GROUP))
        .hasMessageContaining("groupSize");
    assertThatThrownBy(
            () ->
                Advantages.compute(
                    new double[] {1, Double.NaN}, new int[] {0, 0}, AdvantageScale.GROUP))
        .hasMessageContaining("rewards[1]");
  }
}
