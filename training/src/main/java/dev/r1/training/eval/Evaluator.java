package dev.r1.training.eval;

import ai.djl.ndarray.NDManager;
import dev.r1.model.CausalLm;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.RewardInput;
import dev.r1.reward.format.FormatReward;
import dev.r1.reward.math.AccuracyReward;
import dev.r1.reward.math.MathEquivalence;
import dev.r1.training.reflection.ReflectionPhrases;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a policy on held-out task rows: k samples per prompt give pass@1 (the mean share of
 * correct samples, the unbiased estimator of the Codex paper with k = 1), pass@k, cons@k (majority
 * vote over the normalised extracted answers), the format rate, the language-consistency rate
 * ({@link LanguageCheck}), the reflection-phrase rate ({@link ReflectionPhrases}) and the mean
 * completion length.
 *
 * <p>Correctness is the {@code accuracy} reward (answer after {@code </think>}, math equivalence);
 * format is the R1 {@code format} reward with answer tags required.
 */
public final class Evaluator {

  /**
   * How to sample.
   *
   * @param samples k, completions per prompt
   * @param temperature 0 for greedy (then use k = 1)
   * @param maxNewTokens generation limit
   * @param seed sampling seed
   * @param batchSize completions generated together
   */
  public record Options(
      int samples, double temperature, int maxNewTokens, long seed, int batchSize) {
    public Options {
      if (samples < 1) {
        throw new IllegalArgumentException("samples must be >= 1, got " + samples);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
      }
    }

    /** Greedy decoding, one completion per prompt. */
    public static Options greedy(int maxNewTokens) {
      return new Options(1, 0, maxNewTokens, 0, 64);
    }
  }

  /**
   * Evaluation results (rates in [0, 1]).
   *
   * @param prompts rows evaluated
   * @param samplesPerPrompt k
   * @param passAt1 mean over prompts of c/k
   * @param passAtK mean over prompts of the unbiased pass@k
   * @param consAtK share of prompts whose majority answer is correct
   * @param formatRate share of completions in the R1 format
   * @param meanCompletionLength mean completion length in tokens
   * @param truncatedRate share of completions that hit the length limit
   * @param languageRate share of completions whose reasoning stays in English ({@link
   *     LanguageCheck})
   * @param reflectionRate share of completions with a reflection phrase ({@link ReflectionPhrases})
   * @param answeredRate share of completions from which an answer could be extracted
   */
  public record Report(
      int prompts,
      int samplesPerPrompt,
      double passAt1,
      double passAtK,
      double consAtK,
      double formatRate,
      double meanCompletionLength,
      double truncatedRate,
      double languageRate,
      double reflectionRate,
      double answeredRate) {

    /**
     * The report as metrics named {@code <prefix>pass_at_1}, {@code cons_at_k}, {@code
     * format_rate}, {@code language_rate}, {@code mean_length}, {@code reflection_rate}, {@code
     * pass_at_k}, {@code truncated_rate}, {@code answered_rate}, {@code prompts}, {@code k}.
     */
    public Map<String, Double> asMetrics(String prefix) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put(prefix + "pass_at_1", passAt1);
      m.put(prefix + "cons_at_k", consAtK);
      m.put(prefix + "format_rate", formatRate);
      m.put(prefix + "language_rate", languageRate);
      m.put(prefix + "mean_length", meanCompletionLength);
      m.put(prefix + "reflection_rate", reflectionRate);
      m.put(prefix + "pass_at_k", passAtK);
      m.put(prefix + "truncated_rate", truncatedRate);
      m.put(prefix + "answered_rate", answeredRate);
      m.put(prefix + "prompts", (double) prompts);
      m.put(prefix + "k", (double) samplesPerPrompt);
      return m;
    }

    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "pass@1 %.3f pass@%d %.3f cons@%d %.3f format %.3f language %.3f reflection %.3f"
              + " len %.1f truncated %.3f answered %.3f (%d prompts)",
          passAt1,
          samplesPerPrompt,
          passAtK,
          samplesPerPrompt,
          consAtK,
          formatRate,
          languageRate,
          reflectionRate,
          meanCompletionLength,
          truncatedRate,
          answeredRate,
          prompts);
    }
  }

  /**
   * One prompt's outcome.
   *
   * @param promptId the row's id
   * @param gold the gold answer
   * @param correct samples judged correct (of k)
   * @param majorityAnswer the majority vote over the normalised answers, or null
   * @param majorityCorrect whether the vote matches the gold answer
   * @param firstCompletion the first sample's text (for inspection)
   */
  public record PromptResult(
      String promptId,
      String gold,
      int correct,
      String majorityAnswer,
      boolean majorityCorrect,
      String firstCompletion) {}

  /** A report with every prompt's outcome. */
  public record Evaluation(Report report, List<PromptResult> prompts) {}

  private final CausalLm model;
  private final Tokenizer tokenizer;
  private final ChatPrompts prompts;
  private final AccuracyReward accuracy = new AccuracyReward();
  private final FormatReward format =
      new FormatReward(new FormatReward.Options(true, true, false, null));

  public Evaluator(CausalLm model, Tokenizer tokenizer, ChatPrompts prompts) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.prompts = prompts;
  }

  /** Samples k completions for every row and scores them. */
  public Report evaluate(NDManager manager, List<TaskRow> rows, Options o) {
    return run(manager, rows, o).report();
  }

  /** Samples k completions for every row and scores them, keeping every prompt's outcome. */
  public Evaluation run(NDManager manager, List<TaskRow> rows, Options o) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("rows must not be empty");
    }
    Set<Integer> stops = new java.util.HashSet<>();
    for (int id : tokenizer.stopTokenIds()) {
      stops.add(id);
    }
    Generator generator = new Generator(model, tokenizer.padTokenId());
    List<int[]> promptIds = new ArrayList<>();
    for (TaskRow r : rows) {
      int[] ids = tokenizer.encode(prompts.render(r.question()));
      for (int s = 0; s < o.samples(); s++) {
        promptIds.add(ids);
      }
    }
    List<Completion> completions = new ArrayList<>();
    for (int i = 0, batch = 0; i < promptIds.size(); i += o.batchSize(), batch++) {
      SamplingParams params =
          new SamplingParams(o.maxNewTokens(), o.temperature(), 0, 1.0, o.seed() + batch, stops);
      completions.addAll(
          generator.generate(
              manager,
              promptIds.subList(i, Math.min(promptIds.size(), i + o.batchSize())),
              params));
    }
    int k = o.samples();
    double pass1 = 0;
    double passK = 0;
    double cons = 0;
    double formatted = 0;
    double length = 0;
    double truncated = 0;
    double language = 0;
    double reflecting = 0;
    double answered = 0;
    List<PromptResult> results = new ArrayList<>(rows.size());
    for (int r = 0; r < rows.size(); r++) {
      TaskRow row = rows.get(r);
      int correct = 0;
      List<String> answers = new ArrayList<>();
      String first = null;
      for (int s = 0; s < k; s++) {
        Completion c = completions.get(r * k + s);
        String text = tokenizer.decode(c.tokens(), true);
        if (first == null) {
          first = text;
        }
        language += LanguageCheck.consistent(text, LanguageCheck.Language.ENGLISH) ? 1 : 0;
        reflecting += ReflectionPhrases.reflects(text) ? 1 : 0;
        RewardInput in = RewardInput.of(text, row.answer());
        if (accuracy.score(in).value() >= 1.0) {
          correct++;
        }
        if (format.score(in).value() >= 1.0) {
          formatted++;
        }
        length += c.tokens().length;
        truncated += "length".equals(c.finishReason()) ? 1 : 0;
        String answer = extractAnswer(text);
        answered += answer == null ? 0 : 1;
        answers.add(answer);
      }
      pass1 += (double) correct / k;
      passK += passAtK(k, correct, k);
      Optional<String> vote = majority(answers);
      boolean voteCorrect = vote.isPresent() && matches(row.answer(), vote.get());
      if (voteCorrect) {
        cons++;
      }
      results.add(
          new PromptResult(
              row.promptId(), row.answer(), correct, vote.orElse(null), voteCorrect, first));
    }
    int n = rows.size();
    int total = n * k;
    return new Evaluation(
        new Report(
            n,
            k,
            pass1 / n,
            passK / n,
            cons / n,
            formatted / total,
            length / total,
            truncated / total,
            language / total,
            reflecting / total,
            answered / total),
        List.copyOf(results));
  }

  /** Whether an extracted, normalised answer equals the gold answer (math equivalence). */
  public static boolean matches(String gold, String answer) {
    String g = normalise(gold);
    if (g != null && g.equals(answer)) {
      return true;
    }
    return MathEquivalence.equivalent(gold, answer);
  }

  /**
   * The unbiased pass@k estimator of Chen et al. (2021): {@code 1 - C(n-c, k) / C(n, k)}, the
   * probability that at least one of k samples drawn without replacement from n (c of them correct)
   * is correct.
   *
   * @throws IllegalArgumentException unless 0 <= c <= n and 1 <= k <= n
   */
  public static double passAtK(int n, int c, int k) {
    if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
      throw new IllegalArgumentException(
          "pass@k needs 0 <= c <= n and 1 <= k <= n, got n=" + n + " c=" + c + " k=" + k);
    }
    if (n - c < k) {
      return 1.0;
    }
    double prod = 1.0;
    for (int i = n - c + 1; i <= n; i++) {
      prod *= 1.0 - (double) k / i;
    }
    return 1.0 - prod;
  }

  /**
   * The most frequent non-null answer; ties go to the answer that reached the top count first in
   * sample order (so the result does not depend on hashing). Empty when every answer is null.
   */
  public static Optional<String> majority(List<String> answers) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    String best = null;
    int bestCount = 0;
    for (String a : answers) {
      if (a == null) {
        continue;
      }
      int c = counts.merge(a, 1, Integer::sum);
      if (c > bestCount) {
        best = a;
        bestCount = c;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The normalised final answer of a completion: the text inside the last {@code
   * <answer>...</answer>} after {@code </think>}, else the text after {@code </think>}; null when
   * there is none. See {@link #normalise}.
   */
  public static String extractAnswer(String completion) {
    int close = completion.lastIndexOf("</think>");
    String region = close >= 0 ? completion.substring(close + "</think>".length()) : completion;
    if (close < 0 && completion.contains("<think>")) {
      return null;
    }
    int open = region.lastIndexOf("<answer>");
    if (open >= 0) {
      int end = region.indexOf("</answer>", open);
      region = end >= 0 ? region.substring(open + 8, end) : region.substring(open + 8);
    }
    return normalise(region);
  }

  /**
   * Trims, drops spaces and thousands separators, and writes integers canonically ({@code +007} ->
   * {@code 7}); other text is returned trimmed; null for blank text.
   */
  public static String normalise(String answer) {
    if (answer == null) {
      return null;
    }
    String a = answer.strip();
    if (a.isEmpty()) {
      return null;
    }
    String compact = a.replace(" ", "").replace(",", "");
    if (compact.matches("[+-]?\\d{1,1000}")) {
      return new BigInteger(compact.startsWith("+") ? compact.substring(1) : compact).toString();
    }
    return a;
  }

  static int[] copy(int[] a) {
    return Arrays.copyOf(a, a.length);
  }
}
