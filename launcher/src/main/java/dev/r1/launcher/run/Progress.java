package dev.r1.launcher.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A progress bar per stage, fed with the job's events: step of steps, reward, accuracy, tokens/s
 * and time left. On a terminal the current stage's line redraws in place; otherwise a line is
 * printed when a stage starts or ends and every {@code quietSeconds} in between.
 */
final class Progress {

  private static final Pattern STAGE = Pattern.compile("Stage (\\d+) of (\\d+) \\(([^)]+)\\)");
  private static final int WIDTH = 24;

  /** One stage as far as the events tell. */
  static final class Stage {
    final int index;
    int of;
    String name;
    long step;
    Long total;
    boolean done;
    final long startedNanos;
    long lastStepNanos;
    final Map<String, Double> last = new LinkedHashMap<>();

    Stage(int index, int of, String name, long now) {
      this.index = index;
      this.of = of;
      this.name = name;
      this.startedNanos = now;
    }
  }

  private final PrintStream out;
  private final boolean tty;
  private final long quietNanos;
  private final String singleStageName;
  private final Long singleStageTotal;
  private final List<Stage> stages = new ArrayList<>();
  private long lastPrintNanos;
  private boolean lineOpen;

  /**
   * @param singleStageName the stage name for a job that is not a pipeline (its method)
   * @param singleStageTotal that job's step count, or null if unknown
   */
  Progress(
      PrintStream out,
      boolean tty,
      int quietSeconds,
      String singleStageName,
      Long singleStageTotal) {
    this.out = out;
    this.tty = tty;
    this.quietNanos = quietSeconds * 1_000_000_000L;
    this.singleStageName = singleStageName;
    this.singleStageTotal = singleStageTotal;
  }

  List<Stage> stages() {
    return stages;
  }

  void onEvent(JsonNode e) {
    long now = System.nanoTime();
    String type = e.path("type").asText();
    JsonNode metrics = e.path("metrics");
    switch (type) {
      case "stage_started" -> {
        Matcher m = STAGE.matcher(e.path("message").asText());
        int index = metrics.path("stage").asInt(stages.size() + 1);
        int of = 0;
        String name = "stage " + index;
        if (m.find()) {
          index = Integer.parseInt(m.group(1));
          of = Integer.parseInt(m.group(2));
          name = m.group(3);
        }
        Stage s = stage(index, now);
        s.of = of;
        s.name = name;
        if (metrics.has("max_steps")) {
          s.total = metrics.get("max_steps").asLong();
        }
        draw(s, now, true);
      }
      case "step_metrics" -> {
        Stage s = stage(metrics.path("stage").asInt(1), now);
        s.step = Math.max(s.step, e.path("step").asLong(0) + (zeroBased(s) ? 1 : 0));
        s.lastStepNanos = now;
        metrics.fields().forEachRemaining(f -> s.last.put(f.getKey(), f.getValue().asDouble()));
        if (metrics.has("max_steps")) {
          s.total = metrics.get("max_steps").asLong();
        }
        draw(s, now, false);
      }
      case "stage_completed" -> {
        Stage s = stage(metrics.path("stage").asInt(stages.size()), now);
        metrics.fields().forEachRemaining(f -> s.last.put(f.getKey(), f.getValue().asDouble()));
        s.done = true;
        if (s.total != null) {
          s.step = s.total;
        }
        draw(s, now, true);
      }
      case "succeeded", "failed", "cancelled" -> {
        for (Stage s : stages) {
          if (!s.done && type.equals("succeeded")) {
            s.done = true;
            if (s.total != null) {
              s.step = s.total;
            }
            draw(s, now, true);
          }
        }
        closeLine();
      }
      default -> {}
    }
  }

  /** The trainer counts steps from 0 in its events; the distill-service from 1. */
  private boolean zeroBased(Stage s) {
    return "grpo".equals(s.name);
  }

  private Stage stage(int index, long now) {
    for (Stage s : stages) {
      if (s.index == index) {
        return s;
      }
    }
    Stage s = new Stage(index, 0, stages.isEmpty() ? singleStageName : "stage " + index, now);
    if (stages.isEmpty() && singleStageTotal != null) {
      s.total = singleStageTotal;
    }
    stages.add(s);
    return s;
  }

  private void draw(Stage s, long now, boolean milestone) {
    String line = line(s, now);
    if (tty) {
      out.print("\r" + line + "\033[K");
      lineOpen = true;
      if (s.done) {
        out.println();
        lineOpen = false;
      }
      out.flush();
    } else if (milestone || now - lastPrintNanos >= quietNanos) {
      out.println(line);
      lastPrintNanos = now;
    }
  }

  void closeLine() {
    if (lineOpen) {
      out.println();
      lineOpen = false;
    }
  }

  static String line(Stage s, long now) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(Locale.ROOT, "%5s %-10s ", s.index + (s.of > 0 ? "/" + s.of : ""), s.name));
    if (s.total != null && s.total > 0) {
      int filled = (int) Math.min(WIDTH, Math.round(WIDTH * (double) s.step / s.total));
      b.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append(']');
      b.append(String.format(Locale.ROOT, " %4d/%-4d", s.step, s.total));
    } else {
      b.append(String.format(Locale.ROOT, "[%s] step %4d", s.done ? "done" : "....", s.step));
    }
    metric(b, s, "reward", "reward_mean", "%.3f");
    metric(b, s, "acc", "rewards.accuracy.mean", "%.3f");
    metric(b, s, "loss", "loss", "%.3f");
    metric(b, s, "pass@1", "eval.pass_at_1", "%.3f");
    metric(b, s, "len", "completion_length_mean", "%.1f");
    Double tps = s.last.get("tokens_per_second");
    if (tps != null) {
      b.append(String.format(Locale.ROOT, "  %,.0f tok/s", tps));
    }
    double elapsed = (now - s.startedNanos) / 1e9;
    if (s.done) {
      b.append(String.format(Locale.ROOT, "  done in %s", duration(elapsed)));
    } else if (s.total != null && s.step > 0 && s.step < s.total) {
      double left = elapsed / s.step * (s.total - s.step);
      b.append(String.format(Locale.ROOT, "  %s left", duration(left)));
    }
    return b.toString();
  }

  private static void metric(StringBuilder b, Stage s, String label, String key, String fmt) {
    Double v = s.last.get(key);
    if (v != null && Double.isFinite(v)) {
      b.append("  ").append(label).append(' ').append(String.format(Locale.ROOT, fmt, v));
    }
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
