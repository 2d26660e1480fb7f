package dev.r1.reward.math;

import java.util.List;
import java.util.Optional;

/**
 * Decides whether a predicted answer is mathematically equivalent to a gold answer.
 *
 * <p>Both texts go through {@link AnswerExtractor} (so either may be a bare answer like {@code
 * \frac{1}{2}}, a GSM8K solution ending in {@code #### 72}, or a long completion with a {@code
 * \boxed{}}), then through a bounded LaTeX parser and a comparator: numbers (thousands separators,
 * decimals, percentages, scientific notation), fractions, roots, pi, symbolic expressions checked
 * numerically at random points, intervals, sets (unordered), tuples (ordered), equations (up to a
 * factor), inequalities, matrices, units and {@code \text{}} stripped. Every call is bounded by the
 * options' time limit, answer length and nesting depth; none recurses without a limit.
 */
public final class MathEquivalence {

  /** Outcome of one comparison. */
  public enum Status {
    MATCH,
    NO_MATCH,
    NO_ANSWER,
    NO_REFERENCE,
    TIMEOUT
  }

  /**
   * What was compared and the result.
   *
   * @param status MATCH when equivalent
   * @param gold the gold answer compared (first candidate when none matched), or empty
   * @param predicted the predicted answer compared (first candidate when none matched), or empty
   * @param detail how it was extracted and why it (did not) match
   */
  public record Verdict(Status status, String gold, String predicted, String detail) {
    public boolean equivalent() {
      return status == Status.MATCH;
    }
  }

  private MathEquivalence() {}

  /** Default-option equivalence of two answers (or answer-bearing texts). */
  public static boolean equivalent(String gold, String pred) {
    return verify(gold, pred, AccuracyOptions.defaults().withRequireAnswerOutsideThink(false))
        .equivalent();
  }

  public static boolean equivalent(String gold, String pred, AccuracyOptions options) {
    return verify(gold, pred, options).equivalent();
  }

  /**
   * Extracts the answers of both texts and compares them. Think tags are not handled here (see
   * {@link AnswerExtractor#answerRegion}). Never throws for any input text.
   */
  public static Verdict verify(String goldText, String predText, AccuracyOptions options) {
    Deadline d = Deadline.after(options.timeoutMillis());
    try {
      return verify(goldText, predText, options, d);
    } catch (Deadline.Exceeded e) {
      return new Verdict(
          Status.TIMEOUT, "", "", "comparison exceeded " + options.timeoutMillis() + " ms");
    } catch (StackOverflowError e) {
      return new Verdict(Status.NO_MATCH, "", "", "answer too deeply nested");
    }
  }

  private static Verdict verify(String goldText, String predText, AccuracyOptions o, Deadline d) {
    if (o.multipleChoice()) {
      Optional<Character> g = AnswerExtractor.referenceChoice(goldText, !o.latex());
      if (g.isPresent()) {
        Optional<Character> p = AnswerExtractor.completionChoice(predText, g.get(), d);
        if (p.isEmpty()) {
          if (!o.latex() && !o.lastNumberFallback()) {
            return new Verdict(Status.NO_ANSWER, g.get().toString(), "", "no choice letter found");
          }
        } else if (p.get().equals(g.get())) {
          return new Verdict(Status.MATCH, g.get().toString(), p.get().toString(), "choice letter");
        } else if (!o.latex() && !o.lastNumberFallback()) {
          return new Verdict(
              Status.NO_MATCH,
              g.get().toString(),
              p.get().toString(),
              "choice " + p.get() + " != " + g.get());
        }
      }
    }
    if (!o.latex() && !o.lastNumberFallback()) {
      return new Verdict(Status.NO_REFERENCE, "", "", "reference is not a choice letter");
    }
    List<AnswerExtractor.Candidate> golds = goldCandidates(goldText, o, d);
    if (golds.isEmpty()) {
      return new Verdict(Status.NO_REFERENCE, "", "", "no answer found in the reference");
    }
    List<AnswerExtractor.Candidate> preds = AnswerExtractor.candidates(predText, o, d);
    if (preds.isEmpty()) {
      return new Verdict(Status.NO_ANSWER, golds.get(0).answer(), "", "no answer found");
    }
    NodeComparator cmp = new NodeComparator(d, o.precision());
    Node[] goldNodes = new Node[golds.size()];
    String[] goldErrors = new String[golds.size()];
    String lastReason = "";
    for (AnswerExtractor.Candidate p : preds) {
      if (p.answer().length() > o.maxAnswerChars()) {
        lastReason = "answer longer than " + o.maxAnswerChars() + " chars (" + p.source() + ")";
        continue;
      }
      Node pn = null;
      String pErr = null;
      try {
        pn = LatexParser.parse(p.answer(), d, o.maxNestingDepth());
      } catch (MathParseException e) {
        pErr = e.getMessage();
      }
      for (int k = 0; k < golds.size(); k++) {
        AnswerExtractor.Candidate g = golds.get(k);
        if (g.answer().length() > o.maxAnswerChars()) {
          continue;
        }
        if (canonical(g.answer(), d).equals(canonical(p.answer(), d))) {
          return match(g, p, "same text");
        }
        if (goldNodes[k] == null && goldErrors[k] == null) {
          try {
            goldNodes[k] = LatexParser.parse(g.answer(), d, o.maxNestingDepth());
          } catch (MathParseException e) {
            goldErrors[k] = e.getMessage();
          }
        }
        if (goldNodes[k] == null || pn == null) {
          lastReason =
              pn == null
                  ? "cannot parse predicted '" + shorten(p.answer()) + "': " + pErr
                  : "cannot parse gold '" + shorten(g.answer()) + "': " + goldErrors[k];
          continue;
        }
        if (cmp.equal(goldNodes[k], pn)) {
          return match(g, p, "equivalent");
        }
        lastReason =
            "'" + shorten(p.answer()) + "' (" + p.source() + ") != '" + shorten(g.answer()) + "'";
      }
    }
    return new Verdict(Status.NO_MATCH, golds.get(0).answer(), preds.get(0).answer(), lastReason);
  }

  /**
   * The gold side uses the first extraction that parses (LaTeX before the last number), so a
   * reference like {@code x+2n+1} is never reduced to its last number.
   */
  private static List<AnswerExtractor.Candidate> goldCandidates(
      String goldText, AccuracyOptions o, Deadline d) {
    List<AnswerExtractor.Candidate> all = AnswerExtractor.candidates(goldText, o, d);
    for (AnswerExtractor.Candidate c : all) {
      if (c.answer().length() > o.maxAnswerChars()) {
        continue;
      }
      try {
        LatexParser.parse(c.answer(), d, o.maxNestingDepth());
        return List.of(c);
      } catch (MathParseException e) {
        // try the next extraction
      }
    }
    return all;
  }

  private static Verdict match(
      AnswerExtractor.Candidate g, AnswerExtractor.Candidate p, String how) {
    return new Verdict(
        Status.MATCH,
        g.answer(),
        p.answer(),
        "'"
            + shorten(p.answer())
            + "' ("
            + p.source()
            + ") "
            + how
            + " to '"
            + shorten(g.answer())
            + "'");
  }

  private static String canonical(String s, Deadline d) {
    return LatexParser.canonical(s, d).replace(" ", "");
  }

  static String shorten(String s) {
    String t = s.strip();
    return t.length() <= 80 ? t : t.substring(0, 77) + "...";
  }
}
