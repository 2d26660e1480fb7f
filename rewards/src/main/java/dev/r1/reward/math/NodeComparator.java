package dev.r1.reward.math;

import dev.r1.reward.math.Node.Bin;
import dev.r1.reward.math.Node.Const;
import dev.r1.reward.math.Node.Eq;
import dev.r1.reward.math.Node.Fn;
import dev.r1.reward.math.Node.Ineq;
import dev.r1.reward.math.Node.Interval;
import dev.r1.reward.math.Node.ListN;
import dev.r1.reward.math.Node.Matrix;
import dev.r1.reward.math.Node.Neg;
import dev.r1.reward.math.Node.Num;
import dev.r1.reward.math.Node.Opaque;
import dev.r1.reward.math.Node.Percent;
import dev.r1.reward.math.Node.SetN;
import dev.r1.reward.math.Node.Text;
import dev.r1.reward.math.Node.Tuple;
import dev.r1.reward.math.Node.Union;
import dev.r1.reward.math.Node.Var;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a predicted answer tree matches a gold answer tree. Scalars are compared
 * numerically (at random points when they have free variables); equations up to a constant factor;
 * inequalities up to a positive factor; lists and sets without order, tuples in order.
 */
final class NodeComparator {

  private static final int TRIALS = 8;
  private static final double SYMBOLIC_TOL = 1e-6;
  private static final int MAX_ITEMS = 64;

  private final Deadline deadline;
  private final Evaluator evaluator;
  private final int precision;

  NodeComparator(Deadline deadline, int precision) {
    this.deadline = deadline;
    this.evaluator = new Evaluator(deadline);
    this.precision = precision;
  }

  boolean equal(Node g, Node p) {
    deadline.tick();
    g = normalize(g, 0);
    p = normalize(p, 0);
    if (g instanceof ListN l && l.items().size() == 1) {
      return equal(l.items().get(0), p);
    }
    if (p instanceof ListN l && l.items().size() == 1) {
      return equal(g, l.items().get(0));
    }
    if (g instanceof Eq ge && p instanceof Eq pe) {
      return equations(ge, pe);
    }
    if (p instanceof Eq pe) {
      return equal(g, pe.r());
    }
    if (g instanceof Eq ge) {
      return isSimpleLhs(ge.l(), 0) && equal(ge.r(), p);
    }
    if (g instanceof Ineq gi) {
      return p instanceof Ineq pi && inequalities(gi, pi);
    }
    if (p instanceof Ineq) {
      return false;
    }
    if (g instanceof Interval gi) {
      if (p instanceof Interval pi) {
        if (pi.fromRelation() && !gi.fromRelation()) {
          return false;
        }
        return gi.loClosed() == pi.loClosed()
            && gi.hiClosed() == pi.hiClosed()
            && equal(gi.lo(), pi.lo())
            && equal(gi.hi(), pi.hi());
      }
      if (p instanceof Tuple pt && pt.items().size() == 2 && !gi.loClosed() && !gi.hiClosed()) {
        return equal(gi.lo(), pt.items().get(0)) && equal(gi.hi(), pt.items().get(1));
      }
      return false;
    }
    if (p instanceof Interval pi) {
      if (g instanceof Tuple gt && gt.items().size() == 2 && !pi.loClosed() && !pi.hiClosed()) {
        return !pi.fromRelation()
            && equal(gt.items().get(0), pi.lo())
            && equal(gt.items().get(1), pi.hi());
      }
      return false;
    }
    if (g instanceof Tuple gt) {
      if (p instanceof Tuple pt) {
        return ordered(gt.items(), pt.items());
      }
      if (p instanceof ListN pl) {
        return ordered(gt.items(), pl.items());
      }
      if (p instanceof Matrix pm) {
        return ordered(gt.items(), vector(pm));
      }
      return false;
    }
    if (g instanceof ListN || g instanceof SetN) {
      List<Node> gi = items(g);
      if (p instanceof ListN || p instanceof SetN) {
        return unordered(gi, items(p));
      }
      if (p instanceof Tuple pt && g instanceof ListN) {
        return ordered(gi, pt.items());
      }
      return false;
    }
    if (g instanceof Union gu) {
      return p instanceof Union pu && unordered(gu.parts(), pu.parts());
    }
    if (g instanceof Matrix gm) {
      if (p instanceof Matrix pm) {
        if (gm.rows().size() != pm.rows().size()) {
          return false;
        }
        for (int r = 0; r < gm.rows().size(); r++) {
          if (!ordered(gm.rows().get(r), pm.rows().get(r))) {
            return false;
          }
        }
        return true;
      }
      if (p instanceof Tuple pt) {
        return ordered(vector(gm), pt.items());
      }
      return false;
    }
    if (g instanceof Text gt) {
      return p instanceof Text pt && gt.text().equalsIgnoreCase(pt.text());
    }
    if (g instanceof Opaque go) {
      return p instanceof Opaque po && go.text().equals(po.text());
    }
    if (Evaluator.isScalar(g) && Evaluator.isScalar(p)) {
      return scalars(g, p);
    }
    return false;
  }

  private static List<Node> vector(Matrix m) {
    List<Node> out = new ArrayList<>();
    if (m.rows().size() == 1) {
      return m.rows().get(0);
    }
    for (List<Node> row : m.rows()) {
      if (row.size() != 1) {
        return List.of();
      }
      out.add(row.get(0));
    }
    return out;
  }

  private static List<Node> items(Node n) {
    return n instanceof ListN l ? l.items() : ((SetN) n).items();
  }

  private boolean ordered(List<Node> a, List<Node> b) {
    if (a.size() != b.size() || a.isEmpty() && !b.isEmpty()) {
      return false;
    }
    for (int k = 0; k < a.size(); k++) {
      if (!equal(a.get(k), b.get(k))) {
        return false;
      }
    }
    return true;
  }

  /** Greedy bipartite matching, good enough for answer lists (items are rarely ambiguous). */
  private boolean unordered(List<Node> a, List<Node> b) {
    List<Node> da = dedupe(a);
    List<Node> db = dedupe(b);
    if (da.size() != db.size() || da.size() > MAX_ITEMS) {
      return false;
    }
    boolean[] used = new boolean[db.size()];
    for (Node x : da) {
      boolean found = false;
      for (int k = 0; k < db.size(); k++) {
        if (!used[k] && equal(x, db.get(k))) {
          used[k] = true;
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private static List<Node> dedupe(List<Node> xs) {
    List<Node> out = new ArrayList<>();
    for (Node x : xs) {
      if (!out.contains(x)) {
        out.add(x);
      }
    }
    return out;
  }

  // ------------------------------------------------------------ normalization

  /** Folds matrix arithmetic and expands ± into a list of alternatives. */
  private Node normalize(Node n, int depth) {
    if (depth > 50) {
      return n;
    }
    if (n instanceof Bin b && (b.op() == '+' || b.op() == '-' || b.op() == '*')) {
      Node a = normalize(b.a(), depth + 1);
      Node c = normalize(b.b(), depth + 1);
      if (a instanceof Matrix ma && c instanceof Matrix mc && b.op() != '*') {
        return elementwise(ma, mc, b.op());
      }
      if (b.op() == '*' && c instanceof Matrix mc && Evaluator.isScalar(a)) {
        return scale(a, mc);
      }
      if (a instanceof Matrix || c instanceof Matrix) {
        return new Bin(b.op(), a, c);
      }
    }
    if (depth == 0 && Evaluator.isScalar(n) && containsPm(n, 0)) {
      List<Node> variants = new ArrayList<>();
      expandPm(n, variants, 0);
      return new ListN(variants);
    }
    return n;
  }

  private static Node elementwise(Matrix a, Matrix b, char op) {
    if (a.rows().size() != b.rows().size()) {
      return new Bin(op, a, b);
    }
    List<List<Node>> rows = new ArrayList<>();
    for (int r = 0; r < a.rows().size(); r++) {
      List<Node> ra = a.rows().get(r);
      List<Node> rb = b.rows().get(r);
      if (ra.size() != rb.size()) {
        return new Bin(op, a, b);
      }
      List<Node> row = new ArrayList<>();
      for (int c = 0; c < ra.size(); c++) {
        row.add(new Bin(op, ra.get(c), rb.get(c)));
      }
      rows.add(row);
    }
    return new Matrix(rows);
  }

  private static Node scale(Node s, Matrix m) {
    List<List<Node>> rows = new ArrayList<>();
    for (List<Node> r : m.rows()) {
      List<Node> row = new ArrayList<>();
      for (Node x : r) {
        row.add(new Bin('*', s, x));
      }
      rows.add(row);
    }
    return new Matrix(rows);
  }

  private static boolean containsPm(Node n, int depth) {
    if (depth > 400) {
      return false;
    }
    if (n instanceof Bin b) {
      return b.op() == '±' || containsPm(b.a(), depth + 1) || containsPm(b.b(), depth + 1);
    }
    if (n instanceof Neg g) {
      return containsPm(g.a(), depth + 1);
    }
    if (n instanceof Percent p) {
      return containsPm(p.inner(), depth + 1);
    }
    if (n instanceof Fn f) {
      for (Node a : f.args()) {
        if (containsPm(a, depth + 1)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Expands the first ± in n into both signs, recursively, up to 8 variants. */
  private void expandPm(Node n, List<Node> out, int depth) {
    if (out.size() >= 8 || depth > 3) {
      throw new Evaluator.NotScalar("too many ±");
    }
    Node plus = replaceFirstPm(n, true, new boolean[1]);
    Node minus = replaceFirstPm(n, false, new boolean[1]);
    for (Node v : List.of(plus, minus)) {
      if (containsPm(v, 0)) {
        expandPm(v, out, depth + 1);
      } else {
        out.add(v);
      }
    }
  }

  private static Node replaceFirstPm(Node n, boolean plus, boolean[] done) {
    if (done[0]) {
      return n;
    }
    if (n instanceof Bin b) {
      if (b.op() == '±') {
        done[0] = true;
        return new Bin(plus ? '+' : '-', b.a(), b.b());
      }
      Node a = replaceFirstPm(b.a(), plus, done);
      Node c = replaceFirstPm(b.b(), plus, done);
      return new Bin(b.op(), a, c);
    }
    if (n instanceof Neg g) {
      return new Neg(replaceFirstPm(g.a(), plus, done));
    }
    if (n instanceof Percent p) {
      return new Percent(replaceFirstPm(p.inner(), plus, done));
    }
    if (n instanceof Fn f) {
      List<Node> args = new ArrayList<>();
      for (Node a : f.args()) {
        args.add(replaceFirstPm(a, plus, done));
      }
      return new Fn(f.name(), args);
    }
    return n;
  }

  // ------------------------------------------------------------ relations

  /** "x", "x_1", "f(x)", "(x, y)", "|AB|", "A:B" — a left side naming what the right side is. */
  static boolean isSimpleLhs(Node n, int depth) {
    if (depth > 50) {
      return false;
    }
    if (n instanceof Var) {
      return true;
    }
    if (n instanceof Bin b && (b.op() == '*' || b.op() == '/')) {
      return isSimpleLhs(b.a(), depth + 1) && isSimpleLhs(b.b(), depth + 1);
    }
    if (n instanceof Fn f) {
      return f.args().stream().allMatch(a -> isSimpleLhs(a, depth + 1));
    }
    if (n instanceof Tuple t) {
      return t.items().stream().allMatch(a -> isSimpleLhs(a, depth + 1));
    }
    return false;
  }

  private boolean equations(Eq g, Eq p) {
    try {
      Double r = ratio(new Bin('-', g.l(), g.r()), new Bin('-', p.l(), p.r()));
      if (r != null) {
        return true;
      }
    } catch (Evaluator.NotScalar e) {
      // fall through to side-by-side comparison
    }
    if (isSimpleLhs(g.l(), 0) && isSimpleLhs(p.l(), 0)) {
      return equal(g.r(), p.r());
    }
    return equal(g.l(), p.l()) && equal(g.r(), p.r());
  }

  private boolean inequalities(Ineq g, Ineq p) {
    Node fg = orient(g);
    Node fp = orient(p);
    String og = canonicalOp(g.op());
    String op = canonicalOp(p.op());
    if (!og.equals(op)) {
      return false;
    }
    Double r;
    try {
      r = ratio(fg, fp);
    } catch (Evaluator.NotScalar e) {
      return false;
    }
    if (r == null) {
      return false;
    }
    return og.equals("≠") || r > 0;
  }

  /** l op r as f op' 0 with op' in {<, ≤, ≠}. */
  private static Node orient(Ineq i) {
    return switch (i.op()) {
      case ">", "≥" -> new Bin('-', i.r(), i.l());
      default -> new Bin('-', i.l(), i.r());
    };
  }

  private static String canonicalOp(String op) {
    return switch (op) {
      case ">" -> "<";
      case "≥" -> "≤";
      default -> op;
    };
  }

  /**
   * The constant c with f = c*h at random points, or null when f and h are not proportional.
   * Identically-zero pairs count as proportional with ratio 1.
   */
  private Double ratio(Node f, Node h) {
    Set<String> names = new TreeSet<>();
    Evaluator.vars(f, names, 0);
    Evaluator.vars(h, names, 0);
    Random rnd = new Random(0x5eed ^ names.hashCode());
    Double r = null;
    int valid = 0;
    boolean allZero = true;
    int trials = names.isEmpty() ? 1 : TRIALS;
    for (int t = 0; t < trials; t++) {
      Map<String, Double> env = point(names, rnd);
      double vf = evaluator.eval(f, env);
      double vh = evaluator.eval(h, env);
      if (!Double.isFinite(vf) || !Double.isFinite(vh)) {
        continue;
      }
      valid++;
      double scale = Math.max(Math.abs(vf), Math.abs(vh));
      boolean fz = Math.abs(vf) < 1e-10;
      boolean hz = Math.abs(vh) < 1e-10;
      if (fz && hz) {
        continue;
      }
      if (fz != hz) {
        return null;
      }
      allZero = false;
      double c = vf / vh;
      if (r == null) {
        r = c;
      } else if (Math.abs(vf - r * vh) > SYMBOLIC_TOL * Math.max(scale, Math.abs(r * vh))) {
        return null;
      }
    }
    if (valid < Math.min(trials, 3)) {
      return null;
    }
    return allZero ? Double.valueOf(1) : r;
  }

  private static Map<String, Double> point(Set<String> names, Random rnd) {
    Map<String, Double> env = new HashMap<>();
    for (String n : names) {
      env.put(n, 0.3 + 2.4 * rnd.nextDouble());
    }
    return env;
  }

  // ------------------------------------------------------------ scalars

  private boolean scalars(Node g, Node p) {
    Set<String> names = new TreeSet<>();
    try {
      Evaluator.vars(g, names, 0);
      Evaluator.vars(p, names, 0);
      if (names.isEmpty()) {
        double a = evaluator.eval(g, Map.of());
        double b = evaluator.eval(p, Map.of());
        if (numEqual(a, b)) {
          return true;
        }
        return g instanceof Percent && numEqual(a / 100, b)
            || p instanceof Percent && numEqual(a, b / 100);
      }
      Random rnd = new Random(0xbeef ^ names.hashCode());
      int valid = 0;
      for (int t = 0; t < TRIALS; t++) {
        Map<String, Double> env = point(names, rnd);
        double a = evaluator.eval(g, env);
        double b = evaluator.eval(p, env);
        boolean fa = Double.isFinite(a);
        boolean fb = Double.isFinite(b);
        if (!fa && !fb) {
          continue;
        }
        if (fa != fb) {
          return false;
        }
        valid++;
        double scale = Math.max(1e-12, Math.max(Math.abs(a), Math.abs(b)));
        if (Math.abs(a - b) > SYMBOLIC_TOL * scale) {
          return false;
        }
      }
      return valid >= 3;
    } catch (Evaluator.NotScalar e) {
      return false;
    }
  }

  /** Exact within 1e-9 relative, or equal after rounding both to the configured decimals. */
  boolean numEqual(double a, double b) {
    if (a == b) {
      return true;
    }
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      return false;
    }
    double scale = Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    if (Math.abs(a - b) <= 1e-9 * scale) {
      return true;
    }
    if (Math.abs(a) > 1e15 || Math.abs(b) > 1e15) {
      return false;
    }
    BigDecimal ra = BigDecimal.valueOf(a).setScale(precision, RoundingMode.HALF_UP);
    BigDecimal rb = BigDecimal.valueOf(b).setScale(precision, RoundingMode.HALF_UP);
    return ra.compareTo(rb) == 0;
  }

  static boolean isConstant(Node n) {
    return n instanceof Num || n instanceof Const;
  }

  static Node negate(Node n) {
    return n instanceof Neg g ? g.a() : new Neg(n);
  }

  static boolean isVar(Node n) {
    return n instanceof Var;
  }
}
