package dev.r1.contracts;

/**
 * One turn of a chat-formatted prompt; the sampler renders a list of these with the model's chat
 * template.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content the turn's text (may be empty, never null)
 */
public record ChatMessage(String role, String content) {

  public ChatMessage {
    Require.nonBlank("ChatMessage", "role", role);
    Require.nonNull("ChatMessage", "content", content);
  }
}
