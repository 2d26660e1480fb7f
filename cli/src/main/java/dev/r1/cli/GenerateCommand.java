package dev.r1.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.r1.model.CausalLm;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.tokenizer.ChatMessage;
import dev.r1.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "generate",
    description = "Generate completions from a model folder for a prompt or chat messages.")
final class GenerateCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Hugging Face model folder")
  Path model;

  @ArgGroup(multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--prompt", description = "raw prompt text (no chat template)")
    String prompt;

    @Option(names = "--chat", description = "a user message, rendered with the chat template")
    String chat;

    @Option(
        names = "--messages",
        description = "chat messages as JSON: [{\"role\":\"system\",\"content\":\"...\"}, ...]")
    String messages;
  }

  @Option(names = "--system", description = "system message for --chat")
  String system;

  @Option(names = "--max-new-tokens", defaultValue = "64")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "0 = off")
  int topK;

  @Option(names = "--top-p", defaultValue = "1.0")
  double topP;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(
      names = {"-n", "--num"},
      defaultValue = "1",
      description = "completions to sample")
  int num;

  @Option(
      names = "--stop",
      split = ",",
      description = "stop token ids (default: the tokenizer's EOS ids)")
  List<Integer> stop;

  @Option(names = "--json", description = "print tokens, log-probs and finish reasons as JSON")
  boolean json;

  @Override
  public Integer call() throws Exception {
    try (Tokenizer tok = Tokenizer.load(model);
        NDManager root = NDManager.newBaseManager();
        CausalLm lm = CausalLm.load(model, root, DataType.FLOAT32)) {
      String text;
      if (input.prompt != null) {
        text = input.prompt;
      } else {
        List<ChatMessage> msgs = new ArrayList<>();
        if (input.messages != null) {
          List<Map<String, String>> raw =
              Json.MAPPER.readValue(input.messages, new TypeReference<>() {});
          for (int i = 0; i < raw.size(); i++) {
            Map<String, String> m = raw.get(i);
            if (m.get("role") == null || m.get("content") == null) {
              throw new IllegalArgumentException("--messages[" + i + "] needs role and content");
            }
            msgs.add(new ChatMessage(m.get("role"), m.get("content")));
          }
        } else {
          if (system != null) {
            msgs.add(ChatMessage.system(system));
          }
          msgs.add(ChatMessage.user(input.chat));
        }
        text = tok.applyChatTemplate(msgs, true);
      }
      int[] ids = tok.encode(text);
      Set<Integer> stops = new LinkedHashSet<>();
      if (stop != null) {
        stops.addAll(stop);
      } else {
        Arrays.stream(tok.stopTokenIds()).forEach(stops::add);
      }
      SamplingParams params =
          new SamplingParams(maxNewTokens, temperature, topK, topP, seed, stops);
      List<int[]> prompts = new ArrayList<>();
      for (int i = 0; i < num; i++) {
        prompts.add(ids);
      }
      List<Completion> out = new Generator(lm, tok.padTokenId()).generate(root, prompts, params);
      var w = spec.commandLine().getOut();
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Completion c : out) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("text", tok.decode(c.tokens(), false));
          row.put("tokens", c.tokens());
          row.put("logprobs", c.logprobs());
          row.put("finish_reason", c.finishReason());
          rows.add(row);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("prompt_tokens", ids.length);
        result.put("completions", rows);
        w.println(Json.MAPPER.writeValueAsString(result));
      } else {
        for (Completion c : out) {
          w.println(tok.decode(c.tokens(), true));
        }
      }
      w.flush();
      return 0;
    }
  }
}
