package dev.r1.training.task;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A synthetic task with verifiable answers: addition and subtraction of {@code digits}-digit
 * non-negative integers (operands from 10^(d-1) to 10^d - 1, or 0 to 9 for one digit; subtraction
 * keeps the larger operand first, so answers are never negative). Fixed-width operands keep every
 * digit at a fixed distance from the end of the prompt.
 *
 * <p>The train/held-out split is a fixed function of the problem itself (a hash of its operands and
 * operator puts about {@code 1/heldOutEvery} of all problems in the held-out split), so the two
 * splits never overlap, whatever sizes or seeds are asked for. The seed only chooses which problems
 * of a split are drawn and in what order.
 *
 * <p>Reference solutions for SFT use the R1 layout {@code
 * <think>\n...\n</think>\n<answer>N</answer>} with digit-by-digit steps (carries and borrows), e.g.
 * for {@code 47+38}: {@code 7+8=15}, {@code 4+3+1=8}.
 */
public final class ArithmeticTask {

  /** The operators drawn. */
  public enum Op {
    ADD('+'),
    SUB('-');

    private final char symbol;

    Op(char symbol) {
      this.symbol = symbol;
    }

    public char symbol() {
      return symbol;
    }
  }

  /** How much of the worked reasoning a reference solution shows. */
  public enum SolutionStyle {
    /** Digit-by-digit steps with carries or borrows. */
    STEPS,
    /** The think block only restates the problem; the answer must be computed in one go. */
    RESTATE
  }

  private final int digits;
  private final Set<Op> ops;
  private final int heldOutEvery;
  private final long seed;
  private final int limit;
  private final int low;

  /**
   * @param digits the most digits of an operand (1 to 6)
   * @param ops the operators to draw from (non-empty)
   * @param heldOutEvery about one problem in this many goes to the held-out split (at least 2)
   * @param seed chooses the problems drawn and their order
   */
  public ArithmeticTask(int digits, Set<Op> ops, int heldOutEvery, long seed) {
    if (digits < 1 || digits > 6) {
      throw new IllegalArgumentException("digits must be in [1, 6], got " + digits);
    }
    if (ops == null || ops.isEmpty()) {
      throw new IllegalArgumentException("ops must name at least one operator");
    }
    if (heldOutEvery < 2) {
      throw new IllegalArgumentException("heldOutEvery must be >= 2, got " + heldOutEvery);
    }
    this.digits = digits;
    this.ops = EnumSet.copyOf(ops);
    this.heldOutEvery = heldOutEvery;
    this.seed = seed;
    int l = 1;
    for (int i = 0; i < digits; i++) {
      l *= 10;
    }
    this.limit = l;
    this.low = digits == 1 ? 0 : l / 10;
  }

  /** Addition and subtraction with the given digits, one in ten problems held out. */
  public static ArithmeticTask of(int digits, long seed) {
    return new ArithmeticTask(digits, EnumSet.allOf(Op.class), 10, seed);
  }

  public int digits() {
    return digits;
  }

  /** {@code n} distinct training problems. */
  public List<TaskRow> train(int n) {
    return draw(n, false, seed);
  }

  /** {@code n} distinct held-out problems (never among any {@link #train} rows). */
  public List<TaskRow> heldOut(int n) {
    return draw(n, true, seed ^ 0x5DEECE66DL);
  }

  /** Whether a problem belongs to the held-out split. */
  public boolean isHeldOut(long a, Op op, long b) {
    long h = (a * 1_000_003L + b) * 31 + op.ordinal();
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return Math.floorMod(h, heldOutEvery) == 0;
  }

  private List<TaskRow> draw(int n, boolean heldOut, long streamSeed) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    long space = (long) (limit - low) * (limit - low) * ops.size();
    long splitSize = heldOut ? space / heldOutEvery : space - space / heldOutEvery;
    if (n > splitSize / 2) {
      throw new IllegalArgumentException(
          "n = "
              + n
              + " is more than half of the ~"
              + splitSize
              + " problems in the "
              + (heldOut ? "held-out" : "train")
              + " split; use more digits");
    }
    Op[] opList = ops.toArray(new Op[0]);
    SplittableRandom r = new SplittableRandom(streamSeed);
    Set<String> seen = new LinkedHashSet<>();
    List<TaskRow> rows = new ArrayList<>(n);
    while (rows.size() < n) {
      long a = low + r.nextInt(limit - low);
      long b = low + r.nextInt(limit - low);
      Op op = opList[r.nextInt(opList.length)];
      if (op == Op.SUB && a < b) {
        long t = a;
        a = b;
        b = t;
      }
      if (isHeldOut(a, op, b) != heldOut) {
        continue;
      }
      String question = a + String.valueOf(op.symbol()) + b;
      if (seen.add(question)) {
        long answer = op == Op.ADD ? a + b : a - b;
        rows.add(new TaskRow("arith-" + question, question, Long.toString(answer)));
      }
    }
    return rows;
  }

  /** The reference completion of a row in the R1 layout (without the end-of-turn token). */
  public static String solution(TaskRow row, SolutionStyle style) {
    Parsed p = parse(row.question());
    String think = style == SolutionStyle.STEPS ? steps(p) : row.question() + "\n";
    return "<think>\n" + think + "</think>\n<answer>" + row.answer() + "</answer>";
  }

  private record Parsed(long a, Op op, long b) {}

  private static Parsed parse(String question) {
    for (Op op : Op.values()) {
      int i = question.indexOf(op.symbol());
      if (i > 0) {
        try {
          return new Parsed(
              Long.parseLong(question.substring(0, i)),
              op,
              Long.parseLong(question.substring(i + 1)));
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    throw new IllegalArgumentException(
        "question '" + question + "' is not an ArithmeticTask problem like 47+38");
  }

  /** Digit-by-digit steps, least significant digit first, one line each. */
  static String steps(Parsed p) {
    String a = Long.toString(p.a());
    String b = Long.toString(p.b());
    int n = Math.max(a.length(), b.length());
    StringBuilder sb = new StringBuilder();
    int carry = 0;
    for (int i = 0; i < n; i++) {
      int x = digitAt(a, i);
      int y = digitAt(b, i);
      if (p.op() == Op.ADD) {
        int s = x + y + carry;
        sb.append(x).append('+').append(y);
        if (carry > 0) {
          sb.append("+1");
        }
        sb.append('=').append(s).append('\n');
        carry = s / 10;
      } else {
        int v = x - carry - y;
        boolean borrow = v < 0;
        if (borrow) {
          v += 10;
          sb.append('1');
        }
        sb.append(x);
        if (carry > 0) {
          sb.append("-1");
        }
        sb.append('-').append(y).append('=').append(v).append('\n');
        carry = borrow ? 1 : 0;
      }
    }
    return sb.toString();
  }

  private static int digitAt(String number, int fromRight) {
    int idx = number.length() - 1 - fromRight;
    return idx < 0 ? 0 : number.charAt(idx) - '0';
  }

  @Override
  public String toString() {
    return "ArithmeticTask[digits=" + digits + ", ops=" + ops + ", seed=" + seed + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ArithmeticTask t
        && t.digits == digits
        && t.ops.equals(ops)
        && t.heldOutEvery == heldOutEvery
        && t.seed == seed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(digits, ops, heldOutEvery, seed);
  }
}
