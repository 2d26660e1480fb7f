package dev.r1.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Expected strings are written by hand from reading the Qwen3 Jinja template. */
class ChatTemplateTest {

  private static Tokenizer qwen;

  @BeforeAll
  static void load() {
    qwen = Tokenizer.load(Fixtures.qwen3());
  }

  @AfterAll
  static void close() {
    qwen.close();
  }

  private static final List<ChatMessage> SYSTEM_USER =
      List.of(ChatMessage.system("You are a helpful assistant."), ChatMessage.user("What is 2+2?"));

  @Test
  void qwen3RendersSystemUserAndGenerationPrompt() {
    assertThat(qwen.applyChatTemplate(SYSTEM_USER, true))
        .isEqualTo(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void qwen3WithoutGenerationPromptEndsAfterLastTurn() {
    assertThat(qwen.applyChatTemplate(SYSTEM_USER, false))
        .isEqualTo(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n");
  }

  @Test
  void qwen3ThinkingDisabledAppendsEmptyThinkBlock() {
    assertThat(qwen.chatTemplate().render(SYSTEM_USER, true, false))
        .isEqualTo(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\n\n</think>\n\n");
    assertThat(qwen.chatTemplate().render(SYSTEM_USER, true, true))
        .isEqualTo(qwen.applyChatTemplate(SYSTEM_USER, true));
  }

  @Test
  void qwen3DropsReasoningOfTurnsBeforeTheLastQuery() {
    List<ChatMessage> chat =
        List.of(
            ChatMessage.user("What is 2+2?"),
            ChatMessage.assistant("<think>\nTwo and two.\n</think>\n\n4"),
            ChatMessage.user("And 3+3?"),
            ChatMessage.assistant("<think>\nadd them\n</think>\n\n6"));
    // index 1 precedes the last user turn (index 3): reasoning stripped via split/lstrip/rstrip;
    // index 3 follows it and is the last turn: reasoning kept, strip('\n')-ed.
    assertThat(qwen.applyChatTemplate(chat, false))
        .isEqualTo(
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\nAnd 3+3?<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nadd them\n</think>\n\n6<|im_end|>\n");
  }

  @Test
  void qwen3SkipsToolResponsesWhenFindingTheLastQuery() {
    List<ChatMessage> chat =
        List.of(
            ChatMessage.user("Add 1 and 2."),
            ChatMessage.assistant("<think>\ncall the tool\n</think>\n\nCalling."),
            ChatMessage.user("<tool_response>\n3\n</tool_response>"));
    // the last message starts/ends with tool_response tags, so the last *query* is index 0 and
    // the assistant turn (index 1 > 0) keeps its reasoning.
    assertThat(qwen.applyChatTemplate(chat, true))
        .isEqualTo(
            "<|im_start|>user\nAdd 1 and 2.<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\ncall the tool\n</think>\n\nCalling.<|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n3\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n");
  }

  @Test
  void qwen3RendersToolsWithPythonJsonLayout() {
    Map<String, Object> function = new LinkedHashMap<>();
    function.put("name", "add");
    function.put("description", "Adds \"a\" and b");
    function.put("required", List.of("a", "b"));
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("type", "function");
    tool.put("function", function);
    String out =
        qwen.chatTemplate()
            .render(List.of(ChatMessage.user("hi")), true, Map.of("tools", List.of(tool)));
    assertThat(out)
        .startsWith(
            "<|im_start|>system\n# Tools\n\nYou may call one or more functions to assist with the"
                + " user query.\n\nYou are provided with function signatures within <tools></tools>"
                + " XML tags:\n<tools>\n"
                + "{\"type\": \"function\", \"function\": {\"name\": \"add\", \"description\":"
                + " \"Adds \\\"a\\\" and b\", \"required\": [\"a\", \"b\"]}}\n</tools>\n\n")
        .endsWith(
            "</tool_call><|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void chatMlDefaultRendersEveryTurn() {
    String out =
        ChatTemplate.chatMl()
            .render(
                List.of(ChatMessage.system("S"), ChatMessage.user("U"), ChatMessage.assistant("A")),
                true);
    assertThat(out)
        .isEqualTo(
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n"
                + "<|im_start|>assistant\nA<|im_end|>\n<|im_start|>assistant\n");
    assertThat(ChatTemplate.chatMl().render(List.of(ChatMessage.user("U")), false))
        .isEqualTo("<|im_start|>user\nU<|im_end|>\n");
  }

  @Test
  void templatesSeeSpecialTokenVariables() {
    ChatTemplate t =
        ChatTemplate.fromJinja(
            "{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}",
            Map.of("bos_token", "<s>", "eos_token", "</s>"));
    assertThat(t.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false))
        .isEqualTo("<s>a</s>b</s>");
  }

  @Test
  void raiseExceptionSurfacesAsChatTemplateException() {
    ChatTemplate t =
        ChatTemplate.fromJinja(
            "{% if messages[0].role != 'user' %}{{ raise_exception('first turn must be user')"
                + " }}{% endif %}ok");
    assertThat(t.render(List.of(ChatMessage.user("x")), false)).isEqualTo("ok");
    assertThatThrownBy(() -> t.render(List.of(ChatMessage.system("x")), false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("first turn must be user");
  }

  @Test
  void syntaxErrorsNameTheLine() {
    ChatTemplate t = ChatTemplate.fromJinja("line one\n{{ messages[0].content.nosuchmethod(1) }}");
    assertThatThrownBy(() -> t.render(List.of(ChatMessage.user("x")), false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("line 2");
  }

  @Test
  void pythonStringMethodsFollowPythonSemantics() {
    ChatTemplate t =
        ChatTemplate.fromJinja(
            "{% set c = messages[0].content %}"
                + "[{{ c.split('</think>')[-1] }}]"
                + "[{{ c.split('</think>')|length }}]"
                + "[{{ c.split('</think>')[0].split('<think>')[-1].strip('\\n') }}]"
                + "[{{ '  x y  '.strip() }}|{{ '  x '.lstrip() }}|{{ ' x  '.rstrip() }}]"
                + "[{{ 'a.b'.split('.') }}][{{ c.startswith('<think>') }}{{ c.endswith('x') }}]"
                + "[{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}]");
    assertThat(t.render(List.of(ChatMessage.user("<think>\nr\n</think>")), false))
        .isEqualTo("[][2][r][x y|x | x][[a, b]][truefalse][ABab]");
  }

  @Test
  void rendersConcurrentlyWithoutMixingConversations() throws Exception {
    ChatTemplate t = qwen.chatTemplate();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<String>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String q = "question " + i;
        futures.add(pool.submit(() -> t.render(List.of(ChatMessage.user(q)), true)));
      }
      for (int i = 0; i < 64; i++) {
        assertThat(futures.get(i).get())
            .isEqualTo("<|im_start|>user\nquestion " + i + "<|im_end|>\n<|im_start|>assistant\n");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
