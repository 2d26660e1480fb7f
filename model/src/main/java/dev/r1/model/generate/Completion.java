package dev.r1.model.generate;

/**
 * One generated continuation.
 *
 * @param tokens generated ids, including the stop token when one ended the row
 * @param logprobs per token, the log-probability under the distribution it was sampled from (after
 *     temperature, top-k and top-p; plain log-softmax for greedy decoding)
 * @param scaledLogprobs per token, log-softmax(logits / temperature) without top-k/top-p
 *     truncation: what a trainer computes for the same tokens (equal to logprobs when no truncation
 *     applies)
 * @param finishReason {@code stop} (a stop id was generated) or {@code length}
 */
public record Completion(
    int[] tokens, float[] logprobs, float[] scaledLogprobs, String finishReason) {}
