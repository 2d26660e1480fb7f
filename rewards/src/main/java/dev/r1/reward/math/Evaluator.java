package dev.r1.reward.math;

import dev.r1.reward.math.Node.Bin;
import dev.r1.reward.math.Node.Const;
import dev.r1.reward.math.Node.Fn;
import dev.r1.reward.math.Node.Neg;
import dev.r1.reward.math.Node.Num;
import dev.r1.reward.math.Node.Percent;
import dev.r1.reward.math.Node.Var;
import java.util.Map;
import java.util.Set;

/** Numeric evaluation of scalar expression trees at a point. */
final class Evaluator {

  /** Thrown for nodes that have no scalar value (tuples, sets, text, ±). */
  static final class NotScalar extends RuntimeException {
    NotScalar(String what) {
      super(what, null, false, false);
    }
  }

  private final Deadline deadline;

  Evaluator(Deadline deadline) {
    this.deadline = deadline;
  }

  /** True when the node is a scalar expression (possibly with free variables). */
  static boolean isScalar(Node n) {
    return n instanceof Num
        || n instanceof Var
        || n instanceof Const
        || n instanceof Bin
        || n instanceof Neg
        || n instanceof Fn
        || n instanceof Percent;
  }

  /** Collects free variable names; throws NotScalar for non-scalar sub-nodes. */
  static void vars(Node n, Set<String> out, int depth) {
    if (depth > 400) {
      throw new NotScalar("too deep");
    }
    if (n instanceof Var v) {
      out.add(v.name());
    } else if (n instanceof Bin b) {
      vars(b.a(), out, depth + 1);
      vars(b.b(), out, depth + 1);
    } else if (n instanceof Neg g) {
      vars(g.a(), out, depth + 1);
    } else if (n instanceof Percent p) {
      vars(p.inner(), out, depth + 1);
    } else if (n instanceof Fn f) {
      for (Node a : f.args()) {
        vars(a, out, depth + 1);
      }
    } else if (!(n instanceof Num) && !(n instanceof Const)) {
      throw new NotScalar(n.getClass().getSimpleName());
    }
  }

  double eval(Node n, Map<String, Double> env) {
    deadline.tick();
    if (n instanceof Num num) {
      return num.value();
    }
    if (n instanceof Var v) {
      Double x = env.get(v.name());
      if (x == null) {
        throw new NotScalar("unbound " + v.name());
      }
      return x;
    }
    if (n instanceof Const c) {
      return switch (c.name()) {
        case "pi" -> Math.PI;
        case "e" -> Math.E;
        default -> Double.POSITIVE_INFINITY;
      };
    }
    if (n instanceof Neg g) {
      return -eval(g.a(), env);
    }
    if (n instanceof Percent p) {
      return eval(p.inner(), env);
    }
    if (n instanceof Bin b) {
      double x = eval(b.a(), env);
      double y = eval(b.b(), env);
      return switch (b.op()) {
        case '+' -> x + y;
        case '-' -> x - y;
        case '*' -> x * y;
        case '/' -> y == 0 ? Double.NaN : x / y;
        case '^' -> pow(x, y);
        default -> throw new NotScalar("±");
      };
    }
    if (n instanceof Fn f) {
      return function(f, env);
    }
    throw new NotScalar(n.getClass().getSimpleName());
  }

  private static double pow(double x, double y) {
    if (x < 0 && y != Math.rint(y)) {
      // odd roots of negatives written as powers, e.g. (-8)^(1/3)
      double inv = 1 / y;
      if (Math.abs(inv - Math.rint(inv)) < 1e-9 && ((long) Math.rint(inv)) % 2 != 0) {
        return -Math.pow(-x, y);
      }
      return Double.NaN;
    }
    return Math.pow(x, y);
  }

  private double function(Fn f, Map<String, Double> env) {
    String name = f.name();
    if (name.startsWith("sub_") || name.equals("∩") || name.equals("∖")) {
      throw new NotScalar(name);
    }
    double[] a = new double[f.args().size()];
    for (int k = 0; k < a.length; k++) {
      a[k] = eval(f.args().get(k), env);
    }
    if (a.length == 0) {
      throw new NotScalar(name);
    }
    double x = a[0];
    if (name.startsWith("log_")) {
      double base = parseBase(name.substring(4), env);
      return Math.log(x) / Math.log(base);
    }
    return switch (name) {
      case "sqrt" -> x < 0 ? Double.NaN : Math.sqrt(x);
      case "root" -> pow(x, 1 / a[1]);
      case "abs" -> Math.abs(x);
      case "floor" -> Math.floor(x);
      case "ceil" -> Math.ceil(x);
      case "fact" -> factorial(x);
      case "binom" -> binom(x, a[1]);
      case "sin" -> Math.sin(x);
      case "cos" -> Math.cos(x);
      case "tan" -> Math.tan(x);
      case "cot" -> 1 / Math.tan(x);
      case "sec" -> 1 / Math.cos(x);
      case "csc" -> 1 / Math.sin(x);
      case "arcsin" -> Math.asin(x);
      case "arccos" -> Math.acos(x);
      case "arctan" -> Math.atan(x);
      case "sinh" -> Math.sinh(x);
      case "cosh" -> Math.cosh(x);
      case "tanh" -> Math.tanh(x);
      case "log", "ln" -> Math.log(x);
      case "lg" -> Math.log10(x);
      case "exp" -> Math.exp(x);
      case "max" -> {
        double m = x;
        for (double v : a) {
          m = Math.max(m, v);
        }
        yield m;
      }
      case "min" -> {
        double m = x;
        for (double v : a) {
          m = Math.min(m, v);
        }
        yield m;
      }
      case "gcd", "lcm" -> gcdLcm(name, a);
      default -> throw new NotScalar(name);
    };
  }

  private double parseBase(String base, Map<String, Double> env) {
    try {
      return Double.parseDouble(base);
    } catch (NumberFormatException e) {
      Double v = env.get(base);
      if (v == null) {
        throw new NotScalar("log base " + base);
      }
      return v;
    }
  }

  private static double factorial(double x) {
    if (x < 0 || x != Math.rint(x) || x > 170) {
      return Double.NaN;
    }
    double r = 1;
    for (int k = 2; k <= (int) x; k++) {
      r *= k;
    }
    return r;
  }

  private static double binom(double n, double k) {
    if (n != Math.rint(n) || k != Math.rint(k) || k < 0 || n > 1e6) {
      return Double.NaN;
    }
    if (k > n) {
      return 0;
    }
    double r = 1;
    long kk = (long) Math.min(k, n - k);
    for (long j = 1; j <= kk; j++) {
      r = r * (n - kk + j) / j;
    }
    return Math.rint(r);
  }

  private static double gcdLcm(String name, double[] a) {
    long acc = 0;
    for (double v : a) {
      if (v != Math.rint(v) || Math.abs(v) > 1e15) {
        return Double.NaN;
      }
      long x = Math.abs((long) v);
      if (name.equals("gcd")) {
        acc = gcd(acc, x);
      } else {
        acc = acc == 0 ? x : acc / gcd(acc, x) * x;
      }
    }
    return acc;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
