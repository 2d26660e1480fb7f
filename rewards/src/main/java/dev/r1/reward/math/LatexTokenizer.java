package dev.r1.reward.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hand-written, linear-time LaTeX tokenizer. Drops spacing and sizing commands, maps relation and
 * operator commands to symbols, reads {@code \text{...}} groups raw, and merges thousands
 * separators ({@code 10,455}, {@code 11,\!111}, {@code 14{,}916}) into numbers outside brackets.
 */
final class LatexTokenizer {

  private static final Set<String> SKIPPED =
      Set.of(
          "!",
          ",",
          ";",
          ":",
          " ",
          "quad",
          "qquad",
          "displaystyle",
          "textstyle",
          "scriptstyle",
          "left",
          "right",
          "big",
          "Big",
          "bigl",
          "bigr",
          "Bigl",
          "Bigr",
          "bigg",
          "Bigg",
          "biggl",
          "biggr",
          "Biggl",
          "Biggr",
          "limits",
          "nolimits",
          "hfill",
          "middle",
          "$",
          "mathrm",
          "mathbf",
          "mathit",
          "mathsf",
          "mathcal",
          "mathbb",
          "boldsymbol",
          "bm",
          "operatorname",
          "boxed",
          "fbox",
          "displaylines",
          "enspace",
          "thinspace",
          "negthinspace",
          "hspace*");

  private static final Set<String> TEXT_LIKE =
      Set.of("text", "textnormal", "textrm", "textbf", "textit", "textsf", "mbox", "hbox");

  private static final Map<String, String> SYMBOLS =
      Map.ofEntries(
          Map.entry("lt", "<"),
          Map.entry("gt", ">"),
          Map.entry("le", "≤"),
          Map.entry("leq", "≤"),
          Map.entry("leqslant", "≤"),
          Map.entry("leqq", "≤"),
          Map.entry("ge", "≥"),
          Map.entry("geq", "≥"),
          Map.entry("geqslant", "≥"),
          Map.entry("geqq", "≥"),
          Map.entry("ne", "≠"),
          Map.entry("neq", "≠"),
          Map.entry("approx", "≈"),
          Map.entry("simeq", "≈"),
          Map.entry("cdot", "*"),
          Map.entry("times", "*"),
          Map.entry("ast", "*"),
          Map.entry("div", "/"),
          Map.entry("pm", "±"),
          Map.entry("mp", "∓"),
          Map.entry("in", "∈"),
          Map.entry("cup", "∪"),
          Map.entry("cap", "∩"),
          Map.entry("setminus", "∖"),
          Map.entry("&", "&"),
          Map.entry("_", "_"),
          Map.entry("#", "#"),
          Map.entry("colon", ":"),
          Map.entry("vert", "|"),
          Map.entry("mid", "|"),
          Map.entry("lvert", "|"),
          Map.entry("rvert", "|"),
          Map.entry("langle", "("),
          Map.entry("rangle", ")"),
          Map.entry("lbrack", "["),
          Map.entry("rbrack", "]"),
          Map.entry("to", "→"),
          Map.entry("rightarrow", "→"),
          Map.entry("Rightarrow", "→"),
          Map.entry("implies", "→"),
          Map.entry("equiv", "≡"));

  private final String s;
  private final Deadline deadline;
  private final List<Tok> out = new ArrayList<>();
  private int i;
  private int bracketDepth;
  private boolean space;
  private int singleArgs;

  private LatexTokenizer(String s, Deadline deadline) {
    this.s = s;
    this.deadline = deadline;
  }

  static List<Tok> tokenize(String s, Deadline deadline) {
    LatexTokenizer t = new LatexTokenizer(s, deadline);
    t.run();
    return t.out;
  }

  private void emit(Tok.Kind k, String text) {
    out.add(new Tok(k, text, space));
    space = false;
    if (singleArgs > 0 && !(k == Tok.Kind.SYM && text.equals("["))) {
      singleArgs--;
    }
  }

  private void run() {
    int n = s.length();
    while (i < n) {
      deadline.tick();
      char c = s.charAt(i);
      if (Character.isWhitespace(c) || c == '~') {
        space = true;
        i++;
      } else if (c >= '0' && c <= '9' || c == '.' && i + 1 < n && isDigit(s.charAt(i + 1))) {
        number();
      } else if (Character.isLetter(c) && c != 'π' && c != '∞') {
        int j = i;
        while (j < n && Character.isLetter(s.charAt(j)) && s.charAt(j) != 'π') {
          j++;
        }
        if (singleArgs > 0) {
          j = i + 1;
        }
        emit(Tok.Kind.WORD, s.substring(i, j));
        i = j;
      } else if (c == '\\') {
        command();
      } else if (c == '$') {
        i++;
      } else if (c == '%') {
        emit(Tok.Kind.PERCENT, "%");
        i++;
      } else if (c == '°') {
        i++;
      } else if (c == '<' && i + 1 < n && s.charAt(i + 1) == '=') {
        emit(Tok.Kind.SYM, "≤");
        i += 2;
      } else if (c == '>' && i + 1 < n && s.charAt(i + 1) == '=') {
        emit(Tok.Kind.SYM, "≥");
        i += 2;
      } else if (c == '!' && i + 1 < n && s.charAt(i + 1) == '=') {
        emit(Tok.Kind.SYM, "≠");
        i += 2;
      } else {
        String t = String.valueOf(c);
        switch (c) {
          case '−', '–' -> t = "-";
          case '×', '·' -> t = "*";
          case '÷' -> t = "/";
          case '√' -> {
            emit(Tok.Kind.CMD, "sqrt");
            i++;
            continue;
          }
          case 'π' -> {
            emit(Tok.Kind.CMD, "pi");
            i++;
            continue;
          }
          case '∞' -> {
            emit(Tok.Kind.CMD, "infty");
            i++;
            continue;
          }
          case '(', '[' -> bracketDepth++;
          case ')', ']' -> bracketDepth = Math.max(0, bracketDepth - 1);
          default -> {}
        }
        if (c == '{' && s.startsWith("{,}", i)) {
          i += 3; // stray thousands group marker not after a number
          continue;
        }
        emit(Tok.Kind.SYM, t);
        i++;
      }
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private int digitsFrom(int j) {
    int k = j;
    while (k < s.length() && isDigit(s.charAt(k))) {
      k++;
    }
    return k - j;
  }

  private void number() {
    int n = s.length();
    if (singleArgs > 0 && isDigit(s.charAt(i))) {
      emit(Tok.Kind.NUM, s.substring(i, i + 1));
      i++;
      return;
    }
    StringBuilder b = new StringBuilder();
    int j = i;
    while (j < n && isDigit(s.charAt(j))) {
      b.append(s.charAt(j++));
      deadline.tick();
    }
    // thousands groups: ",ddd" directly, ",\! ddd", "{,}ddd", "{, }ddd"
    if (bracketDepth == 0 && b.length() >= 1 && b.length() <= 3) {
      while (true) {
        int k = thousandsGroupStart(j);
        if (k < 0) {
          break;
        }
        b.append(s, k, k + 3);
        j = k + 3;
      }
    }
    if (j < n && s.charAt(j) == '.' && j + 1 < n && isDigit(s.charAt(j + 1))) {
      b.append('.');
      j++;
      while (j < n && isDigit(s.charAt(j))) {
        b.append(s.charAt(j++));
        deadline.tick();
      }
    }
    // scientific notation 1.5e3, 2E-4 (not 2e, which is 2 times e)
    if (j + 1 < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
      int k = j + 1;
      if (k < n && (s.charAt(k) == '-' || s.charAt(k) == '+')) {
        k++;
      }
      int digits = digitsFrom(k);
      if (digits > 0
          && digits <= 4
          && (k + digits >= n || !Character.isLetter(s.charAt(k + digits)))) {
        b.append('e').append(s, j + 1, k + digits);
        j = k + digits;
      }
    }
    emit(Tok.Kind.NUM, b.length() == 0 ? "0" : b.toString());
    i = j;
  }

  /** Returns the index of the 3 digits of a thousands group starting at j, or -1. */
  private int thousandsGroupStart(int j) {
    int n = s.length();
    int k;
    while (j + 1 < n
        && s.charAt(j) == '\\'
        && "!,; ".indexOf(s.charAt(j + 1)) >= 0
        && j + 2 < n
        && (s.charAt(j + 2) == ',' || s.charAt(j + 2) == '\\')) {
      j += 2;
    }
    int sp = j;
    while (sp < n && s.charAt(sp) == ' ') {
      sp++;
    }
    if (sp < n && s.charAt(sp) == '{' && (s.startsWith("{,}", sp) || s.startsWith("{, }", sp))) {
      j = sp;
    }
    if (s.startsWith("{,}", j)) {
      k = j + 3;
    } else if (s.startsWith("{, }", j)) {
      k = j + 4;
    } else if (j < n && s.charAt(j) == ',') {
      k = j + 1;
      boolean spacing = false;
      while (k + 1 < n && s.charAt(k) == '\\' && "!,; ".indexOf(s.charAt(k + 1)) >= 0) {
        k += 2;
        spacing = true;
      }
      if (spacing) {
        while (k < n && s.charAt(k) == ' ') {
          k++;
        }
      }
    } else {
      return -1;
    }
    while (k < n && s.charAt(k) == ' ' && s.charAt(j) == '{') {
      k++;
    }
    if (digitsFrom(k) == 3) {
      return k;
    }
    return -1;
  }

  private void command() {
    int n = s.length();
    int j = i + 1;
    if (j < n && s.charAt(j) == '\\' && j + 1 < n && Character.isLetter(s.charAt(j + 1))) {
      j++; // double-escaped command such as \\frac
    }
    if (j >= n) {
      i = n;
      return;
    }
    char c = s.charAt(j);
    if (!Character.isLetter(c)) {
      i = j + 1;
      switch (c) {
        case '{' -> emit(Tok.Kind.SET_OPEN, "\\{");
        case '}' -> emit(Tok.Kind.SET_CLOSE, "\\}");
        case '\\' -> emit(Tok.Kind.ROW_SEP, "\\\\");
        case '%' -> emit(Tok.Kind.PERCENT, "%");
        case '|' -> emit(Tok.Kind.SYM, "|");
        default -> {
          String mapped = SYMBOLS.get(String.valueOf(c));
          if (mapped != null) {
            emit(Tok.Kind.SYM, mapped);
          } else {
            space = true; // \! \, \; \: \  \$ ...
          }
        }
      }
      return;
    }
    int k = j;
    while (k < n && Character.isLetter(s.charAt(k))) {
      k++;
    }
    String name = s.substring(j, k);
    i = k;
    if (name.startsWith("quad") || name.startsWith("qquad")) {
      // "\quadx" in some references: treat the command as \quad followed by letters
      String rest = name.startsWith("qquad") ? name.substring(5) : name.substring(4);
      space = true;
      if (!rest.isEmpty()) {
        i = k - rest.length();
      }
      return;
    }
    if (SKIPPED.contains(name)) {
      space = true;
      if ((name.equals("left") || name.equals("right") || name.equals("middle"))
          && i < n
          && s.charAt(i) == '.') {
        i++;
      }
      return;
    }
    if (TEXT_LIKE.contains(name)) {
      textGroup();
      return;
    }
    if (name.equals("circ") || name.equals("degree")) {
      emit(Tok.Kind.CMD, "circ");
      return;
    }
    if (name.equals("dfrac") || name.equals("tfrac") || name.equals("cfrac")) {
      name = "frac";
    }
    String mapped = SYMBOLS.get(name);
    if (mapped != null) {
      emit(Tok.Kind.SYM, mapped);
      return;
    }
    emit(Tok.Kind.CMD, name);
    int j2 = i;
    while (j2 < n && s.charAt(j2) == ' ') {
      j2++;
    }
    boolean braced = j2 < n && (s.charAt(j2) == '{' || s.charAt(j2) == '[');
    if (!braced && (name.equals("frac") || name.equals("binom"))) {
      singleArgs = 2;
    } else if (!braced && name.equals("sqrt")) {
      singleArgs = 1;
    }
  }

  private void textGroup() {
    int n = s.length();
    int j = i;
    while (j < n && s.charAt(j) == ' ') {
      j++;
    }
    if (j >= n || s.charAt(j) != '{') {
      i = j;
      return;
    }
    int depth = 0;
    int k = j;
    for (; k < n; k++) {
      deadline.tick();
      char c = s.charAt(k);
      if (c == '\\') {
        k++;
        continue;
      }
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          break;
        }
      }
    }
    String content = s.substring(j + 1, Math.min(k, n));
    emit(Tok.Kind.TEXT, content);
    i = Math.min(k + 1, n);
  }
}
