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
import dev.r1.reward.math.Tok.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recursive-descent parser from LaTeX tokens to {@link Node}s. Recursion is bounded by an explicit
 * depth counter, so deeply nested input fails with a {@link MathParseException} instead of a stack
 * overflow.
 */
final class LatexParser {

  static final Set<String> FUNCTIONS =
      Set.of(
          "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
          "tanh", "log", "ln", "lg", "exp", "gcd", "lcm", "max", "min", "det");

  private static final Set<String> UNIT_WORDS =
      Set.of(
          "cm",
          "mm",
          "km",
          "m",
          "meter",
          "meters",
          "metres",
          "kg",
          "g",
          "grams",
          "mg",
          "lb",
          "lbs",
          "pounds",
          "ounces",
          "oz",
          "s",
          "sec",
          "seconds",
          "min",
          "minutes",
          "h",
          "hr",
          "hrs",
          "hour",
          "hours",
          "day",
          "days",
          "week",
          "weeks",
          "year",
          "years",
          "months",
          "dollars",
          "dollar",
          "cents",
          "cent",
          "inches",
          "inch",
          "in",
          "feet",
          "foot",
          "ft",
          "yards",
          "yd",
          "miles",
          "mile",
          "mph",
          "units",
          "unit",
          "degrees",
          "degree",
          "yuan",
          "euros",
          "liters",
          "litres",
          "ml",
          "mL",
          "L",
          "gallons",
          "people",
          "students",
          "apples",
          "sq",
          "square",
          "cubic",
          "times",
          "ways",
          "points",
          "pages",
          "books",
          "boxes",
          "items");

  private static final Set<String> PERCENT_WORDS = Set.of("percent", "percentage", "pct");

  private static final Set<String> GREEK =
      Set.of(
          "alpha",
          "beta",
          "gamma",
          "delta",
          "epsilon",
          "varepsilon",
          "zeta",
          "eta",
          "theta",
          "vartheta",
          "iota",
          "kappa",
          "lambda",
          "mu",
          "nu",
          "xi",
          "rho",
          "sigma",
          "tau",
          "upsilon",
          "phi",
          "varphi",
          "chi",
          "psi",
          "omega",
          "Gamma",
          "Delta",
          "Theta",
          "Lambda",
          "Xi",
          "Sigma",
          "Phi",
          "Psi",
          "Omega",
          "ell");

  private static final Set<String> TRANSPARENT =
      Set.of(
          "overline",
          "bar",
          "hat",
          "vec",
          "widehat",
          "tilde",
          "widetilde",
          "dot",
          "ddot",
          "underline",
          "mathring",
          "overrightarrow",
          "overleftrightarrow",
          "check",
          "breve",
          "acute",
          "grave");

  private final List<Tok> toks;
  private final Deadline deadline;
  private final int maxDepth;
  private int pos;
  private int depth;
  private int absDepth;
  private int terms;

  private static final int MAX_TERMS = 1000;

  private void countTerm() {
    if (++terms > MAX_TERMS) {
      throw new MathParseException("expression has more than " + MAX_TERMS + " terms");
    }
  }

  private LatexParser(List<Tok> toks, Deadline deadline, int maxDepth, int depth) {
    this.toks = toks;
    this.deadline = deadline;
    this.maxDepth = maxDepth;
    this.depth = depth;
  }

  /** Parses a whole answer: a list of items, relations, sets, or a single expression. */
  static Node parse(String latex, Deadline deadline, int maxDepth) {
    List<Tok> toks = LatexTokenizer.tokenize(latex, deadline);
    return new LatexParser(toks, deadline, maxDepth, 0).answer(toks);
  }

  static String canonical(String latex, Deadline deadline) {
    StringBuilder b = new StringBuilder();
    for (Tok t : LatexTokenizer.tokenize(latex, deadline)) {
      b.append(t);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- answer level

  private Node answer(List<Tok> all) {
    if (depth > maxDepth) {
      throw new MathParseException("nesting deeper than " + maxDepth);
    }
    List<Tok> ts = trimPunctuation(all);
    if (ts.isEmpty()) {
      throw new MathParseException("empty answer");
    }
    while (ts.size() >= 2 && ts.get(0).sym("{") && ts.get(ts.size() - 1).sym("}")) {
      deadline.check();
      int d0 = 0;
      boolean wraps = true;
      for (int k = 0; k < ts.size() - 1; k++) {
        d0 += delta(ts.get(k));
        if (d0 == 0) {
          wraps = false;
          break;
        }
      }
      if (!wraps) {
        break;
      }
      if (++depth > maxDepth) {
        throw new MathParseException("nesting deeper than " + maxDepth);
      }
      ts = ts.subList(1, ts.size() - 1);
    }
    boolean hasSemi = false;
    boolean hasComma = false;
    int d = 0;
    for (Tok t : ts) {
      d += delta(t);
      if (d == 0 && t.sym(";")) {
        hasSemi = true;
      } else if (d == 0 && isSeparator(t) && !t.sym(";")) {
        hasComma = true;
      }
    }
    List<Node> items = new ArrayList<>();
    if (hasSemi && hasComma) {
      for (List<Tok> group : split(ts, true)) {
        List<Node> inner = new ArrayList<>();
        for (List<Tok> part : split(group, false)) {
          inner.add(item(part));
        }
        items.add(inner.size() == 1 ? inner.get(0) : new Tuple(inner));
      }
    } else {
      for (List<Tok> part : split(ts, false)) {
        items.add(item(part));
      }
    }
    if (items.isEmpty()) {
      throw new MathParseException("empty answer");
    }
    return items.size() == 1 ? items.get(0) : new ListN(items);
  }

  private static List<Tok> trimPunctuation(List<Tok> ts) {
    int a = 0;
    int b = ts.size();
    while (b > a && isTrailing(ts.get(b - 1))) {
      b--;
    }
    while (a < b && (ts.get(a).sym(",") || ts.get(a).sym(";") || ts.get(a).sym(":"))) {
      a++;
    }
    return ts.subList(a, b);
  }

  private static boolean isTrailing(Tok t) {
    return t.sym(".") || t.sym(",") || t.sym(";") || t.sym("\"") || t.sym("*") || t.sym(":");
  }

  private static int delta(Tok t) {
    if (t.kind() == Kind.SYM) {
      return switch (t.text()) {
        case "(", "[", "{" -> 1;
        case ")", "]", "}" -> -1;
        default -> 0;
      };
    }
    if (t.kind() == Kind.SET_OPEN || t.is(Kind.CMD, "begin")) {
      return 1;
    }
    if (t.kind() == Kind.SET_CLOSE || t.is(Kind.CMD, "end")) {
      return -1;
    }
    return 0;
  }

  private static boolean isSeparator(Tok t) {
    if (t.kind() == Kind.SYM) {
      return t.text().equals(",") || t.text().equals(";");
    }
    if (t.kind() == Kind.WORD) {
      String w = t.text().toLowerCase(Locale.ROOT);
      return w.equals("and") || w.equals("or");
    }
    if (t.kind() == Kind.TEXT) {
      String c = " " + t.text().toLowerCase(Locale.ROOT).replace(',', ' ') + " ";
      return c.contains(" and ") || c.contains(" or ") || c.isBlank();
    }
    return false;
  }

  private static List<List<Tok>> split(List<Tok> ts, boolean semicolonsOnly) {
    List<List<Tok>> parts = new ArrayList<>();
    int d = 0;
    int start = 0;
    for (int k = 0; k < ts.size(); k++) {
      Tok t = ts.get(k);
      d += delta(t);
      boolean sep = d == 0 && (semicolonsOnly ? t.sym(";") : isSeparator(t));
      if (sep) {
        if (k > start) {
          parts.add(ts.subList(start, k));
        }
        start = k + 1;
      }
    }
    if (start < ts.size()) {
      parts.add(ts.subList(start, ts.size()));
    }
    return parts;
  }

  private Node item(List<Tok> raw) {
    List<Tok> ts = new ArrayList<>(trimPunctuation(raw));
    stripUnits(ts);
    if (ts.isEmpty()) {
      throw new MathParseException("empty item");
    }
    LatexParser p = new LatexParser(ts, deadline, maxDepth, depth + 1);
    Node n = p.relation();
    if (p.pos < ts.size()) {
      throw new MathParseException("unexpected '" + ts.get(p.pos) + "'");
    }
    return n;
  }

  private static boolean endsValue(Tok t) {
    return t.kind() == Kind.NUM
        || t.sym(")")
        || t.sym("}")
        || t.is(Kind.CMD, "circ")
        || t.kind() == Kind.PERCENT;
  }

  /** Drops trailing units ("125 miles", "15\mbox{ cm}^2", "28 percent" -> 28%). */
  private static void stripUnits(List<Tok> ts) {
    boolean changed = true;
    while (changed && ts.size() >= 2) {
      changed = false;
      int n = ts.size();
      if (n >= 4 && ts.get(n - 2).sym("^") && ts.get(n - 1).kind() == Kind.NUM) {
        Tok u = ts.get(n - 3);
        if ((u.kind() == Kind.TEXT || u.kind() == Kind.WORD && isUnitWord(u.text()))
            && endsValue(ts.get(n - 4))) {
          ts.subList(n - 3, n).clear();
          changed = true;
          continue;
        }
      }
      Tok last = ts.get(n - 1);
      Tok prev = ts.get(n - 2);
      if (!endsValue(prev) && !(prev.kind() == Kind.WORD && isUnitWord(prev.text()))) {
        continue;
      }
      if (last.kind() == Kind.WORD && PERCENT_WORDS.contains(last.text().toLowerCase(Locale.ROOT))
          || last.kind() == Kind.TEXT
              && PERCENT_WORDS.contains(last.text().trim().toLowerCase(Locale.ROOT))) {
        ts.set(n - 1, new Tok(Kind.PERCENT, "%", false));
        changed = true;
      } else if (last.kind() == Kind.WORD && isUnitWord(last.text())
          || last.kind() == Kind.TEXT && isUnitText(last.text())) {
        ts.remove(n - 1);
        changed = true;
      }
    }
  }

  private static boolean isUnitWord(String w) {
    return w.length() >= 2 && !FUNCTIONS.contains(w) && !w.equals("pi") || UNIT_WORDS.contains(w);
  }

  private static boolean isUnitText(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      return true;
    }
    for (int k = 0; k < t.length(); k++) {
      char c = t.charAt(k);
      if (!(Character.isLetter(c) || c == ' ' || c == '.' || c == '^' || c == '/' || c == '²')) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- expressions

  private Tok peek() {
    return pos < toks.size() ? toks.get(pos) : null;
  }

  private boolean peekSym(String s) {
    Tok t = peek();
    return t != null && t.sym(s);
  }

  private Tok next() {
    deadline.tick();
    if (pos >= toks.size()) {
      throw new MathParseException("unexpected end of answer");
    }
    return toks.get(pos++);
  }

  private void expectSym(String s) {
    Tok t = next();
    if (!t.sym(s)) {
      throw new MathParseException("expected '" + s + "' but found '" + t + "'");
    }
  }

  private void enter() {
    if (++depth > maxDepth) {
      throw new MathParseException("nesting deeper than " + maxDepth);
    }
  }

  private static boolean isRelOp(Tok t) {
    if (t == null || t.kind() != Kind.SYM) {
      return false;
    }
    return switch (t.text()) {
      case "=", "<", ">", "≤", "≥", "≠", "≈", "∈", "≡", "→" -> true;
      default -> false;
    };
  }

  Node relation() {
    List<Node> parts = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    parts.add(setExpr());
    while (isRelOp(peek())) {
      ops.add(next().text());
      parts.add(setExpr());
    }
    return simplifyChain(parts, ops);
  }

  private static Node simplifyChain(List<Node> parts, List<String> ops) {
    if (ops.isEmpty()) {
      return parts.get(0);
    }
    int approx = ops.indexOf("≈");
    if (approx < 0) {
      approx = ops.indexOf("≡");
    }
    if (approx < 0) {
      approx = ops.indexOf("→");
    }
    if (approx >= 0) {
      if (approx > 0 && ops.subList(0, approx).contains("=")) {
        return simplifyChain(parts.subList(0, approx + 1), ops.subList(0, approx));
      }
      return simplifyChain(
          parts.subList(approx + 1, parts.size()), ops.subList(approx + 1, ops.size()));
    }
    int in = ops.lastIndexOf("∈");
    if (in >= 0) {
      return parts.get(in + 1);
    }
    boolean allEq = ops.stream().allMatch("="::equals);
    if (allEq) {
      return parts.size() == 2 ? new Eq(parts.get(0), parts.get(1)) : parts.get(parts.size() - 1);
    }
    if (ops.size() == 1) {
      return new Ineq(parts.get(0), ops.get(0), parts.get(1));
    }
    if (ops.size() == 2) {
      String a = ops.get(0);
      String b = ops.get(1);
      boolean up = (a.equals("<") || a.equals("≤")) && (b.equals("<") || b.equals("≤"));
      boolean down = (a.equals(">") || a.equals("≥")) && (b.equals(">") || b.equals("≥"));
      if (up) {
        return new Interval(parts.get(0), parts.get(2), a.equals("≤"), b.equals("≤"), true);
      }
      if (down) {
        return new Interval(parts.get(2), parts.get(0), b.equals("≥"), a.equals("≥"), true);
      }
    }
    // mixed chains such as "x = 5 < 7": keep the last relation
    int k = ops.size() - 1;
    return simplifyChain(parts.subList(k, k + 2), ops.subList(k, k + 1));
  }

  private Node setExpr() {
    Node a = expr();
    if (peekSym("∪")) {
      List<Node> parts = new ArrayList<>();
      parts.add(a);
      while (peekSym("∪")) {
        next();
        countTerm();
        parts.add(expr());
      }
      return new Union(parts);
    }
    while (peekSym("∩") || peekSym("∖")) {
      String op = next().text();
      a = new Fn(op, List.of(a, expr()));
    }
    return a;
  }

  private Node expr() {
    enter();
    try {
      Node left = unary();
      while (true) {
        Tok t = peek();
        if (t == null || t.kind() != Kind.SYM) {
          return left;
        }
        String op = t.text();
        if (op.equals("+") || op.equals("-") || op.equals("±") || op.equals("∓")) {
          next();
          countTerm();
          Node right = term();
          left =
              switch (op) {
                case "+" -> new Bin('+', left, right);
                case "-" -> new Bin('-', left, right);
                case "±" -> new Bin('±', left, right);
                default -> new Bin('±', left, new Neg(right));
              };
        } else {
          return left;
        }
      }
    } finally {
      depth--;
    }
  }

  private Node unary() {
    Tok t = peek();
    if (t != null && t.kind() == Kind.SYM) {
      switch (t.text()) {
        case "-" -> {
          next();
          enter();
          try {
            return new Neg(term());
          } finally {
            depth--;
          }
        }
        case "+" -> {
          next();
          return term();
        }
        case "±", "∓" -> {
          next();
          return new Bin('±', new Num(0, "0"), term());
        }
        default -> {}
      }
    }
    return term();
  }

  private Node term() {
    Node left = power();
    while (true) {
      Tok t = peek();
      if (t == null) {
        return left;
      }
      if (t.sym("*") || t.sym("/") || t.sym(":")) {
        next();
        countTerm();
        Node right = unaryFactor();
        left = new Bin(t.text().equals("*") ? '*' : '/', left, right);
      } else if (startsPrimary(t)) {
        countTerm();
        left = new Bin('*', left, power());
      } else {
        return left;
      }
    }
  }

  private Node unaryFactor() {
    if (peekSym("-")) {
      next();
      enter();
      try {
        return new Neg(unaryFactor());
      } finally {
        depth--;
      }
    }
    if (peekSym("+")) {
      next();
    }
    return power();
  }

  private boolean startsPrimary(Tok t) {
    return switch (t.kind()) {
      case NUM, TEXT, SET_OPEN -> true;
      case WORD -> {
        String w = t.text().toLowerCase(Locale.ROOT);
        yield !w.equals("and") && !w.equals("or");
      }
      case CMD -> !t.text().equals("end") && !t.text().equals("circ");
      case SYM ->
          switch (t.text()) {
            case "(", "[", "{" -> true;
            case "|" -> absDepth == 0;
            default -> false;
          };
      default -> false;
    };
  }

  private Node power() {
    enter();
    try {
      Node base = postfix();
      if (peekSym("^")) {
        next();
        if (isDegree()) {
          return postfixOps(base);
        }
        Node exponent;
        if (peekSym("-")) {
          next();
          exponent = new Neg(power());
        } else {
          exponent = power();
        }
        return postfixOps(new Bin('^', base, exponent));
      }
      return base;
    } finally {
      depth--;
    }
  }

  /** Consumes "^\circ" or "^{\circ}" after the caret. */
  private boolean isDegree() {
    Tok t = peek();
    if (t != null && t.is(Kind.CMD, "circ")) {
      next();
      return true;
    }
    if (t != null
        && t.sym("{")
        && pos + 2 < toks.size()
        && toks.get(pos + 1).is(Kind.CMD, "circ")
        && toks.get(pos + 2).sym("}")) {
      pos += 3;
      return true;
    }
    return false;
  }

  private Node postfix() {
    return postfixOps(primary());
  }

  private Node postfixOps(Node p) {
    while (true) {
      Tok t = peek();
      if (t == null) {
        return p;
      }
      if (t.sym("!")) {
        next();
        p = new Fn("fact", List.of(p));
      } else if (t.kind() == Kind.PERCENT) {
        next();
        p = new Percent(p);
      } else if (t.is(Kind.CMD, "circ")) {
        next();
      } else if (t.sym("'")) {
        next();
        p = p instanceof Var v ? new Var(v.name() + "'") : p;
      } else if (t.sym("_")) {
        next();
        String sub = rawArg();
        if (p instanceof Var v) {
          p = new Var(v.name() + "_" + sub);
        } else if (p instanceof Num num) {
          p = new Opaque(num.text() + "_" + sub);
        } else {
          p = new Fn("sub_" + sub, List.of(p));
        }
      } else {
        return p;
      }
    }
  }

  /** The raw text of one argument: a brace group or a single token. */
  private String rawArg() {
    Tok t = next();
    if (!t.sym("{")) {
      return t.toString();
    }
    StringBuilder b = new StringBuilder();
    int d = 1;
    while (true) {
      Tok u = next();
      if (u.sym("{")) {
        d++;
      } else if (u.sym("}") && --d == 0) {
        return b.toString();
      }
      b.append(u);
    }
  }

  /** One macro argument: a brace group (a full expression) or one primary. */
  private Node arg() {
    if (peekSym("{")) {
      next();
      Node n = groupUntil("}");
      return n;
    }
    return postfix();
  }

  private Node groupUntil(String close) {
    List<Node> items = new ArrayList<>();
    while (true) {
      if (peekSym(close)) {
        next();
        break;
      }
      items.add(relation());
      if (peekSym(",") || peekSym(";")) {
        next();
      } else if (!peekSym(close)) {
        throw new MathParseException("expected '" + close + "' but found '" + peek() + "'");
      }
    }
    if (items.isEmpty()) {
      throw new MathParseException("empty group");
    }
    return items.size() == 1 ? items.get(0) : new ListN(items);
  }

  private Node primary() {
    enter();
    try {
      Tok t = next();
      switch (t.kind()) {
        case NUM -> {
          return new Num(Double.parseDouble(t.text()), t.text());
        }
        case WORD -> {
          return word(t.text());
        }
        case CMD -> {
          return command(t.text());
        }
        case TEXT -> {
          return text(t.text());
        }
        case SET_OPEN -> {
          List<Node> items = new ArrayList<>();
          while (true) {
            Tok u = peek();
            if (u == null) {
              throw new MathParseException("unclosed \\{");
            }
            if (u.kind() == Kind.SET_CLOSE) {
              next();
              return new SetN(items);
            }
            items.add(relation());
            if (peekSym(",") || peekSym(";")) {
              next();
            } else if (peek() == null || peek().kind() != Kind.SET_CLOSE) {
              throw new MathParseException("expected \\} but found '" + peek() + "'");
            }
          }
        }
        case SYM -> {
          return symbol(t.text());
        }
        default -> throw new MathParseException("unexpected '" + t + "'");
      }
    } finally {
      depth--;
    }
  }

  private Node symbol(String s) {
    switch (s) {
      case "(", "[" -> {
        List<Node> items = new ArrayList<>();
        String close;
        while (true) {
          if (peekSym(")") || peekSym("]")) {
            close = next().text();
            break;
          }
          items.add(relation());
          if (peekSym(",") || peekSym(";")) {
            next();
          } else if (!peekSym(")") && !peekSym("]")) {
            throw new MathParseException("expected ')' or ']' but found '" + peek() + "'");
          }
        }
        if (items.isEmpty()) {
          return new Tuple(List.of());
        }
        boolean square = s.equals("[") || close.equals("]");
        if (items.size() == 1 && s.equals("(") == close.equals(")")) {
          return items.get(0);
        }
        if (items.size() == 2 && square) {
          return new Interval(items.get(0), items.get(1), s.equals("["), close.equals("]"), false);
        }
        return new Tuple(items);
      }
      case "{" -> {
        return groupUntil("}");
      }
      case "|" -> {
        absDepth++;
        try {
          Node inner = expr();
          expectSym("|");
          return new Fn("abs", List.of(inner));
        } finally {
          absDepth--;
        }
      }
      default -> throw new MathParseException("unexpected '" + s + "'");
    }
  }

  private Node word(String w) {
    if (FUNCTIONS.contains(w)) {
      return function(w);
    }
    if (w.equals("e")) {
      return new Const("e");
    }
    if (w.equals("pi")) {
      return new Const("pi");
    }
    Node n = null;
    for (int k = 0; k < w.length(); k++) {
      Node v = new Var(String.valueOf(w.charAt(k)));
      n = n == null ? v : new Bin('*', n, v);
    }
    return n;
  }

  private Node function(String name) {
    Node power = null;
    String base = null;
    if (name.equals("log") && peekSym("_")) {
      next();
      base = rawArg();
    }
    if (peekSym("^")) {
      next();
      power = postfix();
    }
    Node a;
    if (name.equals("max") || name.equals("min") || name.equals("gcd") || name.equals("lcm")) {
      a = postfix();
      List<Node> args = a instanceof Tuple tup ? tup.items() : List.of(a);
      a = new Fn(name, args);
    } else {
      Node x = power();
      a = new Fn(base != null ? "log_" + base : name, List.of(x));
    }
    return power == null ? a : new Bin('^', a, power);
  }

  private Node command(String name) {
    switch (name) {
      case "frac", "over" -> {
        Node a = arg();
        Node b = arg();
        return new Bin('/', a, b);
      }
      case "sqrt" -> {
        Node index = null;
        if (peekSym("[")) {
          next();
          index = expr();
          expectSym("]");
        }
        Node x = arg();
        return index == null ? new Fn("sqrt", List.of(x)) : new Fn("root", List.of(x, index));
      }
      case "binom", "dbinom", "tbinom", "choose" -> {
        return new Fn("binom", List.of(arg(), arg()));
      }
      case "pi" -> {
        return new Const("pi");
      }
      case "infty", "infin", "infinity" -> {
        return new Const("inf");
      }
      case "emptyset", "varnothing" -> {
        return new SetN(List.of());
      }
      case "lfloor", "lceil" -> {
        Node inner = expr();
        Tok close = next();
        if (!close.is(Kind.CMD, "rfloor") && !close.is(Kind.CMD, "rceil")) {
          throw new MathParseException("expected \\rfloor or \\rceil but found '" + close + "'");
        }
        return new Fn(name.equals("lfloor") ? "floor" : "ceil", List.of(inner));
      }
      case "begin" -> {
        return environment();
      }
      case "cdots", "ldots", "dots", "dotsm", "dotsb", "dotsc", "vdots" -> {
        return new Opaque("...");
      }
      default -> {}
    }
    if (FUNCTIONS.contains(name)) {
      return function(name);
    }
    if (TRANSPARENT.contains(name)) {
      return arg();
    }
    if (GREEK.contains(name)) {
      return new Var("\\" + name);
    }
    return new Var("\\" + name);
  }

  private Node environment() {
    String env = rawArg();
    boolean matrix = env.endsWith("matrix") || env.equals("array");
    if (env.equals("array") && peekSym("{")) {
      rawArg(); // column spec
    }
    List<List<Node>> rows = new ArrayList<>();
    List<Node> row = new ArrayList<>();
    List<Tok> cell = new ArrayList<>();
    int d = 0;
    while (true) {
      Tok t = next();
      if (t.is(Kind.CMD, "begin")) {
        d++;
      } else if (t.is(Kind.CMD, "end")) {
        if (d == 0) {
          rawArg();
          break;
        }
        d--;
      }
      if (d == 0 && t.sym("&")) {
        row.add(cell(cell));
        cell.clear();
      } else if (d == 0 && t.kind() == Kind.ROW_SEP) {
        row.add(cell(cell));
        cell.clear();
        rows.add(row);
        row = new ArrayList<>();
      } else if (!t.is(Kind.CMD, "hline") && !t.is(Kind.CMD, "cline")) {
        cell.add(t);
      }
    }
    if (!cell.isEmpty()) {
      row.add(cell(cell));
    }
    if (!row.isEmpty()) {
      rows.add(row);
    }
    rows.removeIf(r -> r.size() == 1 && r.get(0) == null);
    if (!matrix) {
      throw new MathParseException("unsupported environment '" + env + "'");
    }
    for (List<Node> r : rows) {
      if (r.contains(null) || r.size() != rows.get(0).size()) {
        throw new MathParseException("ragged matrix");
      }
    }
    return new Matrix(rows);
  }

  private Node cell(List<Tok> ts) {
    if (ts.isEmpty()) {
      return null;
    }
    LatexParser p = new LatexParser(new ArrayList<>(ts), deadline, maxDepth, depth + 1);
    Node n = p.relation();
    if (p.pos < ts.size()) {
      throw new MathParseException("unexpected '" + ts.get(p.pos) + "' in matrix cell");
    }
    return n;
  }

  private Node text(String content) {
    String c = content.trim();
    if (c.isEmpty()) {
      throw new MathParseException("empty \\text{}");
    }
    boolean numeric = true;
    for (int k = 0; k < c.length(); k++) {
      char ch = c.charAt(k);
      if (!(Character.isDigit(ch) || ch == '.' || ch == ',')) {
        numeric = false;
      }
    }
    if (numeric) {
      return new Text(c);
    }
    try {
      List<Tok> inner = LatexTokenizer.tokenize(c, deadline);
      return new LatexParser(inner, deadline, maxDepth, depth + 1).answer(inner);
    } catch (MathParseException e) {
      return new Text(c.toLowerCase(Locale.ROOT).replaceAll("\\s+", " "));
    }
  }
}
