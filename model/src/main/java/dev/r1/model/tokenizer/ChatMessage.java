package dev.r1.model.tokenizer;

import java.util.Objects;

/**
 * One turn of a conversation, as chat templates see it: {@code message.role} and {@code
 * message.content}.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content the text of the turn (for an assistant turn it may hold {@code
 *     <think>...</think>})
 */
public record ChatMessage(String role, String content) {

  /** Checks both fields are present. */
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  /** A {@code system} turn. */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  /** A {@code user} turn. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  /** An {@code assistant} turn. */
  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
