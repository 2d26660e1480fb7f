package dev.r1.sampler.generation;

import dev.r1.contracts.PromptTask;
import dev.r1.model.tokenizer.ChatMessage;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.sampler.SamplerProperties.TextPrompts;
import java.util.List;

/**
 * Turns a prompt task into prompt token ids: chat messages through the model's chat template with
 * the generation prompt; plain text as one user turn through the template ({@code chat} mode) or as
 * is ({@code raw} mode, or when the tokenizer has no template).
 */
final class PromptRenderer {

  private final TextPrompts textPrompts;

  PromptRenderer(TextPrompts textPrompts) {
    this.textPrompts = textPrompts;
  }

  int[] render(PromptTask task, Tokenizer tokenizer) {
    String text;
    if (task.messages() != null) {
      if (!tokenizer.hasChatTemplate()) {
        throw new IllegalArgumentException(
            "task "
                + task.promptId()
                + " has chat messages but the model's tokenizer has no chat template");
      }
      List<ChatMessage> turns =
          task.messages().stream().map(m -> new ChatMessage(m.role(), m.content())).toList();
      text = tokenizer.applyChatTemplate(turns, true);
    } else if (textPrompts == TextPrompts.CHAT && tokenizer.hasChatTemplate()) {
      text = tokenizer.applyChatTemplate(List.of(ChatMessage.user(task.prompt())), true);
    } else {
      text = task.prompt();
    }
    int[] ids = tokenizer.encode(text);
    if (ids.length == 0) {
      throw new IllegalArgumentException("task " + task.promptId() + " renders to an empty prompt");
    }
    return ids;
  }
}
