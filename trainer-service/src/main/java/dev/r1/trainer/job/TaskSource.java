package dev.r1.trainer.job;

import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.JsonlTasks;
import dev.r1.training.task.TaskRow;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves a job's dataset: {@code builtin:arithmetic} (the synthetic task, {@code digits} from the
 * hyperparameters) or a {@code file:} URI of a JSONL file with question/answer rows.
 */
final class TaskSource {

  private TaskSource() {}

  static List<TaskRow> rows(String datasetUri, GrpoJobSpec spec) {
    if (datasetUri.startsWith("builtin:arithmetic")) {
      int needed = Math.max(64, spec.maxSteps() * spec.batchPrompts());
      return ArithmeticTask.of(spec.digits(), spec.seed()).train(Math.min(needed, 20_000));
    }
    URI uri = URI.create(datasetUri);
    if ("file".equals(uri.getScheme())) {
      List<TaskRow> rows = JsonlTasks.read(Path.of(uri));
      if (rows.isEmpty()) {
        throw new IllegalArgumentException("dataset " + datasetUri + " has no rows");
      }
      return rows;
    }
    throw new IllegalArgumentException(
        "datasetUri must be builtin:arithmetic or a file: URI, got " + datasetUri);
  }
}
