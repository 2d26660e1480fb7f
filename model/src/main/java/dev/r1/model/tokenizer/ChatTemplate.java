package dev.r1.model.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json}),
 * rendered with Jinjava.
 *
 * <p>Templates written for Python's Jinja2 work unchanged: strings get Python's {@code
 * startswith/endswith/split/strip/lstrip/rstrip/...}, {@code seq[::-1]} is supported, {@code
 * namespace(...)} takes expressions, {@code tojson} serializes like {@code json.dumps}, and {@code
 * raise_exception(msg)} throws {@link ChatTemplateException}. Whitespace control ({@code {%-},
 * {@code -%}}, {@code {{-}}) behaves as in Jinja2.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {

  /**
   * Plain ChatML: {@code <|im_start|>role\ncontent<|im_end|>\n} per turn, then {@code
   * <|im_start|>assistant\n} when a generation prompt is asked for.
   */
  public static final String CHATML_JINJA =
      "{%- for message in messages %}"
          + "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
          + "{%- endfor %}"
          + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

  private static final ChatTemplate CHATML = new ChatTemplate(CHATML_JINJA, Map.of());

  private final String source;
  private final String prepared;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;

  private ChatTemplate(String source, Map<String, ?> specialTokens) {
    this.source = source;
    this.prepared = JinjaCompat.prepare(source);
    this.specialTokens = Map.copyOf(specialTokens);
    this.jinjava = newJinjava();
  }

  /**
   * A template from Jinja source, with no special-token variables.
   *
   * @param source the Jinja text
   */
  public static ChatTemplate fromJinja(String source) {
    return fromJinja(source, Map.of());
  }

  /**
   * A template from Jinja source.
   *
   * @param source the Jinja text
   * @param specialTokens variables such as {@code bos_token} and {@code eos_token} that templates
   *     read; null values are left out
   */
  public static ChatTemplate fromJinja(String source, Map<String, String> specialTokens) {
    Objects.requireNonNull(source, "source");
    Map<String, Object> vars = new HashMap<>();
    specialTokens.forEach(
        (k, v) -> {
          if (v != null) {
            vars.put(k, v);
          }
        });
    return new ChatTemplate(source, vars);
  }

  /** The plain ChatML template ({@link #CHATML_JINJA}), used by the platform's tiny models. */
  public static ChatTemplate chatMl() {
    return CHATML;
  }

  /** The Jinja source as given. */
  public String source() {
    return source;
  }

  /**
   * Renders a conversation.
   *
   * @param messages the turns, oldest first
   * @param addGenerationPrompt whether to end with the opening of an assistant turn
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * Renders a conversation with Qwen3's {@code enable_thinking} switch (templates without it ignore
   * it). With {@code false}, Qwen3 appends an empty think block to the generation prompt.
   */
  public String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, boolean enableThinking) {
    return render(messages, addGenerationPrompt, Map.of("enable_thinking", enableThinking));
  }

  /**
   * Renders a conversation with extra template variables (for example {@code enable_thinking} or
   * {@code tools}).
   *
   * @throws ChatTemplateException naming the template line when rendering fails
   */
  public String render(
      List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
    List<Map<String, Object>> turns = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", m.role());
      turn.put("content", m.content());
      turns.add(turn);
    }
    Map<String, Object> context = new HashMap<>(specialTokens);
    context.putAll(variables);
    context.put("messages", turns);
    context.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result;
    try {
      result = jinjava.renderForResult(prepared, context);
    } catch (RuntimeException e) {
      throw new ChatTemplateException("chat template failed to render: " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() != TemplateError.ErrorType.WARNING) {
        String message = "line " + error.getLineno() + ": " + error.getMessage();
        Throwable cause = error.getException();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
          cause = cause.getCause();
        }
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
          message += " (" + cause.getMessage() + ")";
        }
        problems.add(message);
      }
    }
    if (!problems.isEmpty()) {
      throw new ChatTemplateException(
          "chat template failed to render: " + String.join("; ", problems));
    }
    return result.getOutput();
  }

  private static Jinjava newJinjava() {
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withFailOnUnknownTokens(false)
            .withElResolver(
                new PythonStringResolver(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE))
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .build())
            .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFilter(new PythonToJsonFilter());
    try {
      Method raise = JinjaCompat.class.getMethod("raiseException", String.class);
      raise.setAccessible(true);
      jinjava
          .getGlobalContext()
          .registerFunction(new ELFunctionDefinition("", "raise_exception", raise));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    return jinjava;
  }

  /** {@code tojson} with Python's {@code json.dumps} layout and an optional {@code indent}. */
  private static final class PythonToJsonFilter implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      int indent = args.length > 0 && args[0] != null ? Integer.parseInt(args[0].trim()) : 0;
      return JinjaCompat.toPythonJson(var, indent);
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object indent = kwargs.get("indent");
      if (indent == null && args.length > 0) {
        indent = args[0];
      }
      int n = indent == null ? 0 : Integer.parseInt(indent.toString().trim());
      return JinjaCompat.toPythonJson(var, n);
    }
  }
}
