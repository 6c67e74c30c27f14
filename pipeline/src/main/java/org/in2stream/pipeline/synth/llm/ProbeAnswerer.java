package org.in2stream.pipeline.synth.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.CallStats;
import org.in2stream.pipeline.util.Hashing;

/**
 * Asks the served model an evaluation probe (docs/eval-probes.md) through the shared {@link
 * ChatClient}, so probes get the same response cache, retries and accounting as generation: renders
 * the {@code in2-probe-v1} prompt (the context fenced as material, then the question) and reads the
 * reply's {@code answer}. The cache key covers the model, prompt version, generation parameters,
 * probe id, question and context, so asking again makes no call.
 */
public final class ProbeAnswerer {
  public static final String VERSION = "in2-probe-v1";
  private final ChatClient client;
  private final String system;
  private final String user;

  /** One probe's answer, or why there is none; with the accounting of its calls. */
  public record Answer(String text, Reason failure, String message, CallStats stats) {}

  public ProbeAnswerer(ChatClient client) {
    this.client = client;
    this.system = resource("system.txt");
    this.user = resource("user.txt");
  }

  /** The reply of the model for one probe; the future never fails. */
  public CompletableFuture<Answer> answer(String probeId, String question, String context) {
    LlmSettings s = client.settings();
    String model = s.model();
    String key = Hashing.sha256Hex(model, VERSION, s.generationParams(), probeId, question,
        Hashing.sha256Hex(context));
    String boundary = PromptTemplate.boundary(key, context + "\n" + question);
    Map<String, String> values = Map.of("boundary", boundary, "question", question,
        "data", context);
    ChatClient.Call call = new ChatClient.Call(key, model, fill(system, values),
        fill(user, values), s.seed(),
        ChatClient.schema("in2_probe_answer", Map.of("answer", Map.of("type", "string"))));
    return client.chat(call).thenApply(reply -> {
      if (!reply.isOk()) {
        return new Answer(null, reply.failure(), reply.message(), reply.stats());
      }
      String text = LlmVerifier.answerOf(reply.body());
      return text == null
          ? new Answer(null, Reason.LLM_WRONG_SHAPE, "the reply has no answer", reply.stats())
          : new Answer(text, null, null, reply.stats());
    });
  }

  private static String fill(String template, Map<String, String> values) {
    String out = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (!e.getKey().equals("data")) {
        out = out.replace("{{" + e.getKey() + "}}", e.getValue());
      }
    }
    // the data last, so braces inside it are never read as placeholders
    return out.replace("{{data}}", values.getOrDefault("data", ""));
  }

  private static String resource(String name) {
    String path = "/prompts/" + VERSION + "/" + name;
    try (InputStream in = ProbeAnswerer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing prompt resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
