package org.in2stream.pipeline.synth;

import java.util.List;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;

/**
 * One generation request: the segments shown to the generator and the kind of question wanted.
 *
 * @param requestKey hash of (model, prompt version, generation parameters, kind, exact input text);
 *     the key of the response cache and the root of every example id made from the answer
 * @param kind FINE_GRAINED (one segment) or MULTI_SEGMENT (consecutive segments of one document, as
 *     pieces: all of them, or a window that fits the source budget)
 * @param segments the segments, in document order
 */
public record QaRequest(String requestKey, Kind kind, String docId, List<Segment> segments) {

  /** Builds a request whose key covers everything that can change the generator's answer. */
  public static QaRequest of(String model, String promptVersion, String generationParams, Kind kind,
      String docId, List<Segment> segments) {
    StringBuilder text = new StringBuilder();
    for (Segment s : segments) {
      text.append(s.getIndex()).append('\u0000').append(s.getText()).append('\u0001');
    }
    String key = Hashing.sha256Hex(model, promptVersion, generationParams, kind.name(),
        text.toString());
    return new QaRequest(key, kind, docId, List.copyOf(segments));
  }
}
