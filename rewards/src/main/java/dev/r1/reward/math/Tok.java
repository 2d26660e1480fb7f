package dev.r1.reward.math;

/** One LaTeX token. */
record Tok(Kind kind, String text, boolean spaceBefore) {

  enum Kind {
    NUM,
    WORD,
    CMD,
    SYM,
    TEXT,
    SET_OPEN,
    SET_CLOSE,
    ROW_SEP,
    PERCENT
  }

  boolean is(Kind k, String t) {
    return kind == k && text.equals(t);
  }

  boolean sym(String t) {
    return kind == Kind.SYM && text.equals(t);
  }

  @Override
  public String toString() {
    return kind == Kind.CMD ? "\\" + text : text;
  }
}
