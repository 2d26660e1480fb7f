package dev.r1.reward.countdown;

import java.math.BigInteger;

/**
 * Evaluates the Python arithmetic that TinyZero's countdown reward passes to {@code eval}: integer
 * and float literals, unary {@code + -}, binary {@code + - * / // **} and parentheses, with
 * Python's precedence and semantics (exact integers, {@code /} always float, {@code //} floors,
 * {@code **} right-associative and binding tighter than unary minus on its left). Anything else is
 * a syntax error. A recursive-descent parser over at most {@link #MAX_LENGTH} characters and {@link
 * #MAX_DEPTH} nesting levels; integer powers are capped so {@code 9**9**9} cannot hang.
 */
final class Arithmetic {

  static final int MAX_LENGTH = 1000;
  static final int MAX_DEPTH = 100;
  private static final int MAX_BITS = 4096;

  /** Evaluation failed the way Python's eval would raise (SyntaxError, ZeroDivisionError...). */
  static final class EvalException extends Exception {
    EvalException(String message) {
      super(message, null, false, false);
    }
  }

  /** A Python number: an exact integer or a float. */
  record Num(BigInteger i, double f) {
    static Num of(BigInteger i) {
      return new Num(i, 0);
    }

    static Num of(double f) {
      return new Num(null, f);
    }

    boolean isInt() {
      return i != null;
    }

    double asDouble() {
      return i != null ? i.doubleValue() : f;
    }
  }

  private final String s;
  private int pos;
  private int depth;

  private Arithmetic(String s) {
    this.s = s;
  }

  static Num eval(String expr) throws EvalException {
    if (expr.length() > MAX_LENGTH) {
      throw new EvalException("expression longer than " + MAX_LENGTH + " characters");
    }
    Arithmetic p = new Arithmetic(expr);
    p.skipSpace();
    if (p.pos >= expr.length()) {
      throw new EvalException("empty expression");
    }
    Num v = p.expr();
    p.skipSpace();
    if (p.pos < expr.length()) {
      throw new EvalException("unexpected '" + expr.charAt(p.pos) + "' at " + p.pos);
    }
    return v;
  }

  private Num expr() throws EvalException {
    Num v = term();
    while (true) {
      skipSpace();
      if (peek('+')) {
        pos++;
        v = add(v, term(), true);
      } else if (peek('-')) {
        pos++;
        v = add(v, term(), false);
      } else {
        return v;
      }
    }
  }

  private Num term() throws EvalException {
    Num v = factor();
    while (true) {
      skipSpace();
      if (peek('*') && !peekAt(pos + 1, '*')) {
        pos++;
        v = mul(v, factor());
      } else if (peek('/') && peekAt(pos + 1, '/')) {
        pos += 2;
        v = floorDiv(v, factor());
      } else if (peek('/')) {
        pos++;
        v = div(v, factor());
      } else {
        return v;
      }
    }
  }

  private Num factor() throws EvalException {
    skipSpace();
    if (peek('+') || peek('-')) {
      boolean neg = s.charAt(pos) == '-';
      pos++;
      enter();
      Num v = factor();
      depth--;
      if (!neg) {
        return v;
      }
      return v.isInt() ? Num.of(v.i().negate()) : Num.of(-v.f());
    }
    return power();
  }

  private Num power() throws EvalException {
    Num base = atom();
    skipSpace();
    if (peek('*') && peekAt(pos + 1, '*')) {
      pos += 2;
      enter();
      Num exp = factor();
      depth--;
      return pow(base, exp);
    }
    return base;
  }

  private Num atom() throws EvalException {
    skipSpace();
    if (pos >= s.length()) {
      throw new EvalException("unexpected end of expression");
    }
    char c = s.charAt(pos);
    if (c == '(') {
      pos++;
      enter();
      Num v = expr();
      depth--;
      skipSpace();
      if (!peek(')')) {
        throw new EvalException("missing ')' at " + pos);
      }
      pos++;
      return v;
    }
    if ((c >= '0' && c <= '9') || c == '.') {
      return number();
    }
    throw new EvalException("unexpected '" + c + "' at " + pos);
  }

  private Num number() throws EvalException {
    int start = pos;
    while (pos < s.length() && isAsciiDigit(s.charAt(pos))) {
      pos++;
    }
    int intEnd = pos;
    boolean isFloat = false;
    if (peek('.')) {
      isFloat = true;
      pos++;
      while (pos < s.length() && isAsciiDigit(s.charAt(pos))) {
        pos++;
      }
    }
    String lit = s.substring(start, pos);
    if (lit.equals(".")) {
      throw new EvalException("invalid syntax '.' at " + start);
    }
    if (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
      throw new EvalException("invalid number literal at " + start);
    }
    if (isFloat) {
      return Num.of(Double.parseDouble(lit));
    }
    String digits = s.substring(start, intEnd);
    if (digits.length() > 1
        && digits.charAt(0) == '0'
        && !digits.chars().allMatch(ch -> ch == '0')) {
      throw new EvalException("leading zeros in decimal integer literals are not permitted");
    }
    return Num.of(new BigInteger(digits));
  }

  private static Num add(Num a, Num b, boolean plus) throws EvalException {
    if (a.isInt() && b.isInt()) {
      return Num.of(plus ? a.i().add(b.i()) : a.i().subtract(b.i()));
    }
    return finite(plus ? a.asDouble() + b.asDouble() : a.asDouble() - b.asDouble());
  }

  private static Num mul(Num a, Num b) throws EvalException {
    if (a.isInt() && b.isInt()) {
      if (a.i().bitLength() + b.i().bitLength() > MAX_BITS) {
        throw new EvalException("integer result too large");
      }
      return Num.of(a.i().multiply(b.i()));
    }
    return finite(a.asDouble() * b.asDouble());
  }

  private static Num div(Num a, Num b) throws EvalException {
    if (b.asDouble() == 0 && (!b.isInt() || b.i().signum() == 0)) {
      throw new EvalException("division by zero");
    }
    if (a.isInt() && b.isInt()) {
      return finite(
          new java.math.BigDecimal(a.i())
              .divide(new java.math.BigDecimal(b.i()), java.math.MathContext.DECIMAL128)
              .doubleValue());
    }
    return finite(a.asDouble() / b.asDouble());
  }

  private static Num floorDiv(Num a, Num b) throws EvalException {
    if (b.isInt() ? b.i().signum() == 0 : b.f() == 0) {
      throw new EvalException("integer division or modulo by zero");
    }
    if (a.isInt() && b.isInt()) {
      BigInteger[] qr = a.i().divideAndRemainder(b.i());
      BigInteger q = qr[0];
      if (qr[1].signum() != 0 && (qr[1].signum() != b.i().signum())) {
        q = q.subtract(BigInteger.ONE);
      }
      return Num.of(q);
    }
    return finite(Math.floor(a.asDouble() / b.asDouble()));
  }

  private static Num pow(Num base, Num exp) throws EvalException {
    if (base.isInt() && exp.isInt()) {
      if (exp.i().signum() >= 0) {
        int bits = base.i().abs().bitLength();
        if (bits > 1
            && (exp.i().bitLength() > 31 || (long) bits * exp.i().longValue() > MAX_BITS)) {
          throw new EvalException("integer result too large");
        }
        if (bits <= 1) {
          // 0, 1, -1: the result stays small whatever the exponent
          int e = exp.i().testBit(0) ? 1 : 2;
          return Num.of(base.i().pow(exp.i().signum() == 0 ? 0 : e));
        }
        return Num.of(base.i().pow(exp.i().intValueExact()));
      }
      if (base.i().signum() == 0) {
        throw new EvalException("0 cannot be raised to a negative power");
      }
    }
    double b = base.asDouble();
    double e = exp.asDouble();
    if (b == 0 && e < 0) {
      throw new EvalException("0.0 cannot be raised to a negative power");
    }
    if (b < 0 && e != Math.rint(e)) {
      throw new EvalException("negative number to a fractional power (complex result)");
    }
    double r = Math.pow(b, e);
    if (Double.isInfinite(r)) {
      throw new EvalException("numerical result out of range");
    }
    return Num.of(r);
  }

  private static Num finite(double v) throws EvalException {
    if (Double.isInfinite(v) || Double.isNaN(v)) {
      throw new EvalException("numerical result out of range");
    }
    return Num.of(v);
  }

  private void enter() throws EvalException {
    if (++depth > MAX_DEPTH) {
      throw new EvalException("expression nested too deeply");
    }
  }

  private void skipSpace() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private boolean peek(char c) {
    return pos < s.length() && s.charAt(pos) == c;
  }

  private boolean peekAt(int i, char c) {
    return i < s.length() && s.charAt(i) == c;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
