package dev.r1.training.rejection;

/**
 * What a kept trace must satisfy.
 *
 * @param requireCorrect the extracted answer must equal the gold answer (math equivalence)
 * @param requireFormat the R1 layout ({@code <think>\n...\n</think>\n<answer>...</answer>})
 * @param requireAnswerTags the format check requires answer tags
 * @param requireLanguage the reasoning must stay in English ({@code
 *     dev.r1.training.eval.LanguageCheck})
 * @param maxCompletionTokens longer (or truncated) completions are dropped
 * @param maxPerPrompt the most traces kept per prompt (after deduplication)
 * @param deduplicate drop a trace whose normalised text another kept trace of the prompt has
 */
public record RejectionConfig(
    boolean requireCorrect,
    boolean requireFormat,
    boolean requireAnswerTags,
    boolean requireLanguage,
    int maxCompletionTokens,
    int maxPerPrompt,
    boolean deduplicate) {

  public RejectionConfig {
    if (maxCompletionTokens < 1) {
      throw new IllegalArgumentException(
          "maxCompletionTokens must be >= 1, got " + maxCompletionTokens);
    }
    if (maxPerPrompt < 1) {
      throw new IllegalArgumentException("maxPerPrompt must be >= 1, got " + maxPerPrompt);
    }
  }

  /** Every check on, answer tags required, up to {@code maxPerPrompt} distinct traces a prompt. */
  public static RejectionConfig strict(int maxCompletionTokens, int maxPerPrompt) {
    return new RejectionConfig(true, true, true, true, maxCompletionTokens, maxPerPrompt, true);
  }
}
