package org.in2stream.pipeline.synth.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.Asker;
import org.in2stream.pipeline.util.Hashing;

/**
 * The verification questions (closed-book, ablation) asked of {@code --verifierModel} (default the
 * generation model) through the shared {@link ChatClient}: renders the {@code in2-verify-v1} prompts
 * and reads the reply's {@code answer}. The cache key covers the model, prompt version, generation
 * parameters, purpose, question and evidence, so a replay makes no call.
 */
final class LlmVerifier implements Asker {
  static final String VERSION = "in2-verify-v1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ChatClient client;
  private final String system;
  private final String withEvidence;
  private final String closedBook;

  LlmVerifier(ChatClient client) {
    this.client = client;
    this.system = resource("system.txt");
    this.withEvidence = resource("with-evidence.txt");
    this.closedBook = resource("closed-book.txt");
  }

  @Override
  public CompletableFuture<Answer> ask(String purpose, String question, List<String> evidence) {
    LlmSettings s = client.settings();
    String model = s.verifierModelOrDefault();
    String data = String.join("\n\n", evidence);
    String key = Hashing.sha256Hex(model, VERSION, s.generationParams(), purpose, question, data);
    String boundary = PromptTemplate.boundary(key, data + "\n" + question);
    Map<String, String> values = Map.of("boundary", boundary, "question", question, "data", data);
    String user = fill(evidence.isEmpty() ? closedBook : withEvidence, values);
    ChatClient.Call call = new ChatClient.Call(key, model, fill(system, values), user, s.seed(),
        ChatClient.schema("in2_verify_answer", Map.of("answer", Map.of("type", "string"))));
    return client.chat(call).thenApply(reply -> {
      if (!reply.isOk()) {
        return new Answer(null, reply.failure(), reply.message(), reply.stats());
      }
      String text = answerOf(reply.body());
      return text == null
          ? new Answer(null, Reason.LLM_WRONG_SHAPE, "the verifier's reply has no answer",
              reply.stats())
          : new Answer(text, null, null, reply.stats());
    });
  }

  /** The reply's {@code answer} field, or its plain text when it is not JSON; null when empty. */
  static String answerOf(byte[] body) {
    try {
      JsonNode content = JSON.readTree(body).path("choices").path(0).path("message")
          .path("content");
      if (!content.isTextual() || content.asText().isBlank()) {
        return null;
      }
      String c = content.asText().strip();
      int open = c.indexOf('{');
      int close = c.lastIndexOf('}');
      if (open >= 0 && close > open) {
        JsonNode a = JSON.readTree(c.substring(open, close + 1)).path("answer");
        if (a.isTextual()) {
          return a.asText();
        }
      }
      return c;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String fill(String template, Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("{{", i);
      int close = open < 0 ? -1 : template.indexOf("}}", open);
      if (open < 0 || close < 0) {
        out.append(template, i, template.length());
        break;
      }
      String name = template.substring(open + 2, close);
      out.append(template, i, open).append(values.getOrDefault(name, ""));
      i = close + 2;
    }
    return out.toString();
  }

  private static String resource(String name) {
    String path = "/prompts/" + VERSION + "/" + name;
    try (InputStream in = LlmVerifier.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing prompt resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
