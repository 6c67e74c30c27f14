package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.util.Hashing;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Segment;

/**
 * The versioned generation prompts (resources under {@code prompts/<version>/}), following the IN2
 * recipe in our own words: a system prompt that fences the untrusted text and carries a canary, and
 * one user prompt per kind. A template version is immutable once released: change the wording in a
 * new version, because the version is part of every request key and record.
 *
 * <p>The fence boundary and the canary are random-looking but derived from the request key, so the
 * same request renders the same prompt on every replay and worker, and a crawled page cannot know the
 * boundary it would need to close the fence.
 */
public final class PromptTemplate {
  /** Versions shipped as resources. */
  public static final List<String> VERSIONS = List.of("in2-qa-v1", "in2-qa-v2");
  public static final String DEFAULT_VERSION = "in2-qa-v2";

  private final String version;
  private final String system;
  private final String fineGrained;
  private final String multiSegment;

  /** One rendered request. */
  public record Prompt(String system, String user, String boundary, String canary,
      List<Integer> pieceToSegmentIndex, String sourceText) {}

  private PromptTemplate(String version) {
    this.version = version;
    this.system = resource(version, "system.txt");
    this.fineGrained = resource(version, "fine-grained.txt");
    this.multiSegment = resource(version, "multi-segment.txt");
  }

  public static boolean exists(String version) {
    return version != null && VERSIONS.contains(version);
  }

  public static PromptTemplate load(String version) {
    if (!exists(version)) {
      throw new IllegalArgumentException("unknown prompt version " + version + "; known: "
          + VERSIONS);
    }
    return new PromptTemplate(version);
  }

  public String version() {
    return version;
  }

  /** The fence boundary of a request: 24 hex digits derived from the request key. */
  static String boundary(String requestKey, String data) {
    for (int round = 0; ; round++) {
      String b = Hashing.sha256Hex("in2-fence", requestKey, Integer.toString(round))
          .substring(0, 24);
      if (!data.contains(b)) {
        return b;
      }
    }
  }

  /** The canary of a request, placed in its system prompt; an output that contains it leaked. */
  static String canary(String requestKey) {
    return "CANARY-" + Hashing.sha256Hex("in2-canary", requestKey).substring(0, 20);
  }

  public Prompt render(QaRequest request) {
    List<Integer> pieces = new ArrayList<>();
    StringBuilder data = new StringBuilder();
    StringBuilder source = new StringBuilder();
    if (request.kind() == Kind.MULTI_SEGMENT) {
      int n = 0;
      for (Segment s : request.segments()) {
        n++;
        pieces.add(s.getIndex());
        if (n > 1) {
          data.append("\n\n");
        }
        data.append("Piece ").append(n).append(":\n").append(s.getText());
        source.append(s.getText()).append('\n');
      }
    } else {
      Segment s = request.segments().get(0);
      pieces.add(s.getIndex());
      data.append(s.getText());
      source.append(s.getText());
    }
    String boundary = boundary(request.requestKey(), data.toString());
    String canary = canary(request.requestKey());
    Map<String, String> values = Map.of(
        "boundary", boundary,
        "canary", canary,
        "data", data.toString(),
        "pieceCount", Integer.toString(pieces.size()));
    String user = fill(request.kind() == Kind.MULTI_SEGMENT ? multiSegment : fineGrained, values);
    return new Prompt(fill(system, values), user, boundary, canary, List.copyOf(pieces),
        source.toString());
  }

  /** Replaces {{name}} placeholders in one pass, so a value is never itself expanded. */
  private static String fill(String template, Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("{{", i);
      if (open < 0) {
        out.append(template, i, template.length());
        break;
      }
      int close = template.indexOf("}}", open);
      String name = close < 0 ? null : template.substring(open + 2, close);
      if (name == null || !values.containsKey(name)) {
        throw new IllegalStateException("unknown placeholder in prompt template at " + open);
      }
      out.append(template, i, open).append(values.get(name));
      i = close + 2;
    }
    return out.toString();
  }

  private static String resource(String version, String name) {
    String path = "/prompts/" + version + "/" + name;
    try (InputStream in = PromptTemplate.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing prompt resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
