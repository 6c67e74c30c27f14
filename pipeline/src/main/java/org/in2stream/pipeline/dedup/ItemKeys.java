package org.in2stream.pipeline.dedup;

import java.io.Serializable;

/**
 * How the dedup steps see an item: an id named in dead letters, a tie-break key that orders items
 * of equal event time (it must be unique per input record, e.g. its Kafka position), and the text
 * compared.
 */
public interface ItemKeys<T> extends Serializable {
  String id(T item);

  String orderKey(T item);

  String text(T item);

  /**
   * Whether two items (by {@link #id}) are copies of one thing by construction, so that neither is a
   * near-duplicate of the other: none by default.
   */
  default boolean sameOrigin(String id, String otherId) {
    return false;
  }

  /** The key of one item in per-item state: id and tie-break key together. */
  default String uid(T item) {
    return id(item) + '\u0000' + orderKey(item);
  }
}
