package dev.r1.cli;

import dev.r1.model.ModelConfig;
import dev.r1.model.safetensors.TensorInfo;
import dev.r1.model.safetensors.TensorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "inspect",
    description = "Show a model folder's config, parameter count, dtypes and tensors as JSON.")
final class InspectCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Hugging Face model folder")
  Path model;

  @Option(names = "--tensors", description = "list every tensor (name, dtype, shape)")
  boolean tensors;

  @Override
  public Integer call() throws Exception {
    ModelConfig config = ModelConfig.read(model);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("folder", model.toAbsolutePath().toString());
    out.put("config", config);
    out.put("parameters_from_config", config.parameterCount());
    try (TensorStore store = TensorStore.open(model)) {
      long stored = 0;
      Map<String, Long> byDtype = new TreeMap<>();
      List<Map<String, Object>> list = new ArrayList<>();
      for (String name : store.names()) {
        TensorInfo info = store.info(name);
        stored += info.numel();
        byDtype.merge(info.dtype().name(), info.numel(), Long::sum);
        if (tensors) {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("name", name);
          t.put("dtype", info.dtype().name());
          t.put("shape", info.shape());
          list.add(t);
        }
      }
      out.put("parameters_stored", stored);
      out.put("tensor_count", store.names().size());
      out.put("dtypes", byDtype);
      out.put("files", store.files().stream().map(p -> p.getFileName().toString()).toList());
      if (tensors) {
        out.put("tensors", list);
      }
    }
    spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(out));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
