package dev.r1.sampler.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {

  @TempDir Path dir;

  private Path version(String name) throws Exception {
    return Files.createDirectories(dir.resolve(name));
  }

  @Test
  void versionsThatHardLinkTheSameTokenizerBlobsShareTheirIdentity() throws Exception {
    Path blobs = version(".blobs");
    Files.writeString(blobs.resolve("a"), "{\"model\": {}}");
    Files.writeString(blobs.resolve("b"), "{\"eos_token\": \"<|im_end|>\"}");
    Path v1 = version("v1");
    Path v2 = version("v2");
    for (Path v : new Path[] {v1, v2}) {
      Files.createLink(v.resolve("tokenizer.json"), blobs.resolve("a"));
      Files.createLink(v.resolve("tokenizer_config.json"), blobs.resolve("b"));
    }
    Files.writeString(v1.resolve("model.safetensors"), "weights 1"); // not a tokenizer file
    Files.writeString(v2.resolve("model.safetensors"), "weights 2");

    assertThat(PolicyLoader.tokenizerFiles(v1))
        .isNotNull()
        .isEqualTo(PolicyLoader.tokenizerFiles(v2));
  }

  @Test
  void copiedOrChangedTokenizerFilesGetAnotherIdentity() throws Exception {
    Path v1 = version("v1");
    Files.writeString(v1.resolve("tokenizer.json"), "{\"model\": {}}");
    Path copy = version("copy");
    Files.copy(v1.resolve("tokenizer.json"), copy.resolve("tokenizer.json"));
    Path more = version("more");
    Files.createLink(more.resolve("tokenizer.json"), v1.resolve("tokenizer.json"));
    Files.writeString(more.resolve("chat_template.jinja"), "{{ messages }}");

    Object original = PolicyLoader.tokenizerFiles(v1);
    assertThat(PolicyLoader.tokenizerFiles(copy)).isNotEqualTo(original);
    assertThat(PolicyLoader.tokenizerFiles(more)).isNotEqualTo(original);
  }
}
