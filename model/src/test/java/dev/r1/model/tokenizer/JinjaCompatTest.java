package dev.r1.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JinjaCompatTest {

  @Test
  void rewritesReverseSliceOnlyInsideTags() {
    assertThat(JinjaCompat.prepare("a[::-1] {% for m in messages[::-1] %}{{ x[ : : -1] }}"))
        .isEqualTo("a[::-1] {% for m in messages|reverse %}{{ x|reverse }}");
  }

  @Test
  void parenthesizesNamespaceKeywordValues() {
    assertThat(
            JinjaCompat.prepare(
                "{%- set ns = namespace(a=true, b=messages|length - 1, c=f(1, 2)) %}"))
        .isEqualTo("{%- set ns = namespace(a=(true), b=(messages|length - 1), c=(f(1, 2))) %}");
  }

  @Test
  void jsonMatchesPythonJsonDumps() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "é\"\n");
    m.put("n", List.of(1, 2.5, true));
    m.put("e", Map.of());
    // json.dumps({"s": "é\"\n", "n": [1, 2.5, True], "e": {}}, ensure_ascii=False)
    assertThat(JinjaCompat.toPythonJson(m, 0))
        .isEqualTo("{\"s\": \"é\\\"\\n\", \"n\": [1, 2.5, true], \"e\": {}}");
    // json.dumps([1, {"a": None}], indent=2)
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("a", null);
    assertThat(JinjaCompat.toPythonJson(List.of(1, a), 2))
        .isEqualTo("[\n  1,\n  {\n    \"a\": null\n  }\n]");
  }
}
