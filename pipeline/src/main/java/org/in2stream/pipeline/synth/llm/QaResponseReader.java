package org.in2stream.pipeline.synth.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.QaResult;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.pipeline.verify.Quote;
import org.in2stream.schema.Kind;

/**
 * Turns the raw body of a chat completion into a QA pair or a failure with its own reason. Pure and
 * deterministic, so a response read back from the cache gives the same result as when it arrived.
 * Checks, in order: the body is JSON and a chat completion with a choice; the choice was not cut at the
 * token limit or refused; the message is a JSON object with the expected fields; the output does not
 * echo the canary or look like it obeys planted instructions. Whether the answer is grounded in its
 * evidence is the verification chain's question ({@code org.in2stream.pipeline.verify}).
 */
public final class QaResponseReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JSON_OBJECT = Pattern.compile("\\{.*\\}", Pattern.DOTALL);
  private static final Pattern INJECTED = Pattern.compile(String.join("|",
      "ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts?)",
      "disregard (?:all |any )?(?:the )?(?:previous|prior|above|earlier|your) instructions",
      "(?:system|developer) prompt",
      "(?:begin|end) data",
      "as an ai (?:language )?model",
      "i (?:cannot|can't|won't) (?:help|comply|assist)",
      "new instructions?:",
      "you are now "), Pattern.CASE_INSENSITIVE);
  private QaResponseReader() {}

  /** Tokens the server reported for a response, whatever else is wrong with it. */
  public record Usage(long promptTokens, long completionTokens) {
    static final Usage NONE = new Usage(0, 0);
  }

  public static Usage usage(byte[] body) {
    try {
      JsonNode usage = JSON.readTree(body).path("usage");
      return new Usage(usage.path("prompt_tokens").asLong(0),
          usage.path("completion_tokens").asLong(0));
    } catch (IOException | RuntimeException e) {
      return Usage.NONE;
    }
  }

  public static QaResult read(byte[] body, QaRequest request, PromptTemplate.Prompt prompt) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return QaResult.failed(Reason.LLM_NOT_JSON, "response body is not JSON: " + excerpt(body));
    }
    if (root == null || !root.isObject()) {
      return QaResult.failed(Reason.LLM_NOT_JSON, "response body is not a JSON object: "
          + excerpt(body));
    }
    JsonNode choices = root.get("choices");
    if (choices == null || !choices.isArray()) {
      String what = root.has("error") ? "an error object" : "no \"choices\" array";
      return QaResult.failed(Reason.LLM_WRONG_SHAPE, "response is not a chat completion ("
          + what + "): " + excerpt(body));
    }
    if (choices.isEmpty()) {
      return QaResult.failed(Reason.LLM_EMPTY_CHOICES, "response has an empty \"choices\" array");
    }
    JsonNode choice = choices.get(0);
    String finish = choice.path("finish_reason").asText("");
    if ("length".equals(finish)) {
      return QaResult.failed(Reason.LLM_TRUNCATED, "finish_reason=length: the reply was cut at "
          + "the token limit; raise --llmMaxTokens");
    }
    JsonNode message = choice.path("message");
    if ("content_filter".equals(finish)
        || message.hasNonNull("refusal") && !message.path("refusal").asText("").isBlank()) {
      return QaResult.failed(Reason.LLM_REFUSED, "the model refused or was filtered (finish_reason="
          + finish + ")");
    }
    JsonNode contentNode = message.get("content");
    if (contentNode == null || !contentNode.isTextual() || contentNode.asText().isBlank()) {
      return QaResult.failed(Reason.LLM_EMPTY_CHOICES, "the first choice has no text content");
    }
    return readContent(contentNode.asText(), request, prompt);
  }

  /** Checks the message content (the model's own output). */
  static QaResult readContent(String content, QaRequest request, PromptTemplate.Prompt prompt) {
    if (content.contains(prompt.canary())) {
      return QaResult.failed(Reason.LLM_PROMPT_LEAK, "the output contains the system prompt's "
          + "canary");
    }
    JsonNode out = parseObject(content);
    if (out == null) {
      return QaResult.failed(Reason.LLM_NOT_JSON, "the message content is not a JSON object: "
          + excerpt(content.getBytes(StandardCharsets.UTF_8)));
    }
    JsonNode q = out.get("question");
    JsonNode a = out.get("answer");
    if (q == null || !q.isTextual() || q.asText().isBlank() || a == null || !a.isTextual()
        || a.asText().isBlank()) {
      return QaResult.failed(Reason.LLM_WRONG_SHAPE, "the output lacks a non-empty string "
          + "\"question\" and \"answer\": " + excerpt(content.getBytes(StandardCharsets.UTF_8)));
    }
    String question = q.asText().strip();
    String answer = a.asText().strip();
    List<Integer> needed = new ArrayList<>();
    List<Quote> quotes = new ArrayList<>();
    int pieceCount = prompt.pieceToSegmentIndex().size();
    JsonNode evidence = out.get("evidence");
    if (evidence != null) {
      // in2-qa-v2: the cited pieces are the pieces the quotes come from.
      Set<Integer> distinct = new LinkedHashSet<>();
      if (!evidence.isArray() || evidence.isEmpty()) {
        return QaResult.failed(Reason.LLM_WRONG_SHAPE, "\"evidence\" must be a non-empty array "
            + "of {piece, quote}; got " + evidence);
      }
      for (JsonNode e : evidence) {
        JsonNode p = e.path("piece");
        JsonNode quote = e.path("quote");
        int n = p.isIntegralNumber() ? p.asInt() : request.kind() == Kind.MULTI_SEGMENT ? -1 : 1;
        if (n < 1 || n > pieceCount || !quote.isTextual() || quote.asText().isBlank()) {
          return QaResult.failed(Reason.LLM_WRONG_SHAPE, "an evidence item needs \"piece\" "
              + "between 1 and " + pieceCount + " and a non-empty \"quote\"; got " + e);
        }
        distinct.add(n);
        quotes.add(new Quote(prompt.pieceToSegmentIndex().get(n - 1), quote.asText()));
      }
      if (request.kind() == Kind.MULTI_SEGMENT && distinct.size() < 2) {
        return QaResult.failed(Reason.LLM_WRONG_SHAPE, "a multi-segment output needs evidence "
            + "from two or more pieces; got pieces " + distinct);
      }
      distinct.stream().sorted().forEach(n -> needed.add(prompt.pieceToSegmentIndex().get(n - 1)));
    } else if (request.kind() == Kind.MULTI_SEGMENT) {
      JsonNode pieces = out.get("pieces");
      Set<Integer> distinct = new LinkedHashSet<>();
      if (pieces != null && pieces.isArray()) {
        for (JsonNode p : pieces) {
          int n = p.canConvertToInt() ? p.asInt() : -1;
          if (p.isIntegralNumber() && n >= 1 && n <= pieceCount) {
            distinct.add(n);
          } else {
            distinct.clear();
            break;
          }
        }
      }
      if (distinct.size() < 2) {
        return QaResult.failed(Reason.LLM_WRONG_SHAPE, "a multi-segment output needs \"pieces\": "
            + "two or more piece numbers between 1 and " + pieceCount
            + "; got " + (pieces == null ? "none" : pieces.toString()));
      }
      distinct.stream().sorted().forEach(n -> needed.add(prompt.pieceToSegmentIndex().get(n - 1)));
    } else {
      needed.add(prompt.pieceToSegmentIndex().get(0));
    }
    String both = question + "\n" + answer;
    if (both.contains(prompt.boundary())) {
      return QaResult.failed(Reason.LLM_INJECTION_SUSPECTED, "the output contains the fence "
          + "boundary");
    }
    Matcher injected = INJECTED.matcher(both);
    if (injected.find()) {
      return QaResult.failed(Reason.LLM_INJECTION_SUSPECTED, "the output contains \""
          + injected.group() + "\"");
    }
    // Grounding, evidence and the other checks are the verification chain's (verify package).
    return QaResult.ok(question, answer, needed, quotes);
  }

  /** The content as a JSON object: whole, inside a code fence, or the outermost braces in text. */
  private static JsonNode parseObject(String content) {
    String c = content.strip();
    for (String candidate : new String[] {c, unfenced(c), braces(c)}) {
      if (candidate == null) {
        continue;
      }
      try {
        JsonNode node = JSON.readTree(candidate);
        if (node != null && node.isObject()) {
          return node;
        }
      } catch (JsonProcessingException ignored) {
        // try the next form
      }
    }
    return null;
  }

  private static String unfenced(String c) {
    if (!c.startsWith("```")) {
      return null;
    }
    int firstLine = c.indexOf('\n');
    int end = c.lastIndexOf("```");
    return firstLine < 0 || end <= firstLine ? null : c.substring(firstLine + 1, end);
  }

  private static String braces(String c) {
    Matcher m = JSON_OBJECT.matcher(c);
    return m.find() ? m.group() : null;
  }

  private static String excerpt(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return body.length > 200 ? s + "..." : s;
  }
}
