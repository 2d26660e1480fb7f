package dev.r1.reward.service.api;

import dev.r1.reward.RewardRunner;
import dev.r1.reward.RewardSpec;
import dev.r1.reward.service.RewardServiceProperties;
import dev.r1.reward.service.scoring.GroupScorer;
import dev.r1.reward.service.scoring.RewardMetrics;
import dev.r1.reward.service.scoring.RunnerCache;
import dev.r1.reward.service.scoring.SpecResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ad-hoc scoring: {@code POST /v1/rewards/score} scores completions with a reward spec (the same
 * runners and time limits as the Kafka path), {@code GET /v1/rewards/functions} lists the reward
 * functions and their parameters.
 */
@RestController
@RequestMapping(path = "/v1/rewards", produces = MediaType.APPLICATION_JSON_VALUE)
class RewardController {

  /** One function's verdict on one item. */
  record ComponentView(double value, double weight, String status, long millis, String detail) {}

  /** One item's scores: components in spec order and the weighted total. */
  record ResultView(Map<String, ComponentView> components, double total) {}

  /** The response of {@code POST /v1/rewards/score}. */
  record ScoreResponse(List<ResultView> results, Map<String, Object> spec, long millis) {}

  /** A reward function and its parameter names (null: the function checks its own). */
  record FunctionView(String name, List<String> parameters) {}

  /** The response of {@code GET /v1/rewards/functions}. */
  record FunctionsResponse(List<FunctionView> functions, Map<String, Object> defaultSpec) {}

  private final RunnerCache cache;
  private final RewardMetrics metrics;
  private final RewardServiceProperties props;
  private final SpecResolver specs;

  RewardController(
      RunnerCache cache, RewardMetrics metrics, RewardServiceProperties props, SpecResolver specs) {
    this.cache = cache;
    this.specs = specs;
    this.metrics = metrics;
    this.props = props;
  }

  @PostMapping(path = "/score", consumes = MediaType.APPLICATION_JSON_VALUE)
  ScoreResponse score(@RequestBody(required = false) Map<String, Object> body) {
    long t0 = System.nanoTime();
    ScoreRequest request = ScoreRequest.from(body, props.api().maxItems());
    RunnerCache.Result result = cache.score(request.spec(), "spec", request.items());
    metrics.batch(result.scores());
    metrics.completionsScored("http", request.items().size());
    RewardSpec spec = result.spec();
    List<ResultView> results = new ArrayList<>(result.scores().size());
    for (RewardRunner.Scored s : result.scores()) {
      Map<String, ComponentView> comps = new LinkedHashMap<>();
      for (RewardSpec.Component c : spec.rewards()) {
        RewardRunner.ComponentScore cs = s.components().get(c.name());
        comps.put(
            c.name(),
            new ComponentView(
                cs.value(),
                c.weight(),
                cs.status().name(),
                cs.millis(),
                GroupScorer.shortDetail(cs.detail())));
      }
      results.add(new ResultView(comps, s.total()));
    }
    return new ScoreResponse(results, spec.toMap(), (System.nanoTime() - t0) / 1_000_000);
  }

  @GetMapping("/functions")
  FunctionsResponse functions() {
    List<FunctionView> out = new ArrayList<>();
    for (String name : cache.registry().names()) {
      var params = cache.registry().parameters(name);
      out.add(new FunctionView(name, params == null ? null : List.copyOf(new TreeSet<>(params))));
    }
    return new FunctionsResponse(
        out, cache.parse(specs.defaultSpec(), "r1.reward.default-spec").toMap());
  }
}
