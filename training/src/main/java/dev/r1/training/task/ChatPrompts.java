package dev.r1.training.task;

import dev.r1.model.tokenizer.ChatMessage;
import dev.r1.model.tokenizer.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders task questions into generation prompts through a chat template: an optional system turn,
 * the user turn holding the question, then the opening of the assistant turn.
 */
public final class ChatPrompts {

  /** The R1 instruction, kept short because the tiny models' tokens are bytes. */
  public static final String R1_SYSTEM_PROMPT =
      "Think inside <think></think>, then answer inside <answer></answer>.";

  private final ChatTemplate template;
  private final String systemPrompt;

  /**
   * @param template the chat template (ChatML for the tiny models)
   * @param systemPrompt the system turn, or null for none
   */
  public ChatPrompts(ChatTemplate template, String systemPrompt) {
    this.template = Objects.requireNonNull(template, "template");
    this.systemPrompt = systemPrompt;
  }

  /** ChatML with {@link #R1_SYSTEM_PROMPT}. */
  public static ChatPrompts r1ChatMl() {
    return new ChatPrompts(ChatTemplate.chatMl(), R1_SYSTEM_PROMPT);
  }

  /** The prompt text for a question, ending with the assistant turn's opening. */
  public String render(String question) {
    List<ChatMessage> messages = new ArrayList<>(2);
    if (systemPrompt != null) {
      messages.add(ChatMessage.system(systemPrompt));
    }
    messages.add(ChatMessage.user(question));
    return template.render(messages, true);
  }

  public String systemPrompt() {
    return systemPrompt;
  }
}
