package dev.r1.gateway.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A page of a cursor-paginated list, as OpenAI's API returns them: pass the last item's id as
 * {@code after} to get the next page while {@code has_more} is true.
 *
 * @param object always {@code list}
 * @param data the items
 * @param hasMore whether more items follow the last one
 */
public record ListPage<T>(String object, List<T> data, @JsonProperty("has_more") boolean hasMore) {

  /** A page of {@code data}. */
  public static <T> ListPage<T> of(List<T> data, boolean hasMore) {
    return new ListPage<>("list", List.copyOf(data), hasMore);
  }
}
