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
   * Whether two items (by {@link #id}) must never be near-duplicates of each other, whatever their
   * texts' similarity: copies of one thing by construction (one cached response used in two
   * documents), or items whose ids show they ask for different things (questions with different
   * answers, see {@link DeduplicateQuestions}). None by default. The bucket step calls it on the ids
   * it keeps in state, so an id must carry whatever this decision reads.
   */
  default boolean sameOrigin(String id, String otherId) {
    return false;
  }

  /**
   * The page this item is a fetch of, for the same-page bucket of {@link NearDuplicates}: a
   * re-crawl of one url is compared with the earlier fetches at a threshold of its own. Fetches of
   * one page must have equal {@link #id}s (the bucket compares ids to tell pages apart). Null, the
   * default, puts the item in no page bucket.
   */
  default String page(T item) {
    return null;
  }

  /** The key of one item in per-item state: id and tie-break key together. */
  default String uid(T item) {
    return id(item) + '\u0000' + orderKey(item);
  }
}
