package org.in2stream.pipeline.synth.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.in2stream.pipeline.failure.Reason;
import org.in2stream.pipeline.synth.QaResult;
import org.in2stream.pipeline.synth.QaRequest;
import org.in2stream.schema.Kind;

/**
 * Turns the raw body of a chat completion into a QA pair or a failure with its own reason. Pure and
 * deterministic, so a response read back from the cache gives the same result as when it arrived.
 * Checks, in order: the body is JSON and a chat completion with a choice; the choice was not cut at the
 * token limit or refused; the message is a JSON object with the expected fields; the output does not
 * echo the canary or look like it obeys planted instructions; the answer is grounded in the text.
 */
public final class QaResponseReader {
  /** Share of the answer's content words that must occur in the source text. */
  static final double MIN_GROUNDED_SHARE = 0.6;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
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
  private static final Set<String> STOPWORDS = Set.of(
      "the", "and", "for", "are", "was", "were", "with", "that", "this", "from", "has", "have",
      "had", "its", "their", "his", "her", "they", "them", "which", "who", "what", "when", "where",
      "how", "why", "not", "but", "also", "into", "than", "then", "there", "these", "those", "been",
      "being", "will", "would", "can", "could", "should", "about", "after", "before", "over",
      "under", "such", "one", "both", "each", "other", "more", "most", "some", "any", "all", "our",
      "your", "you", "she", "him", "out", "did", "does", "because", "while", "between", "during");

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
    if (request.kind() == Kind.MULTI_SEGMENT) {
      JsonNode pieces = out.get("pieces");
      Set<Integer> distinct = new LinkedHashSet<>();
      if (pieces != null && pieces.isArray()) {
        for (JsonNode p : pieces) {
          int n = p.canConvertToInt() ? p.asInt() : -1;
          if (p.isIntegralNumber() && n >= 1 && n <= prompt.pieceToSegmentIndex().size()) {
            distinct.add(n);
          } else {
            distinct.clear();
            break;
          }
        }
      }
      if (distinct.size() < 2) {
        return QaResult.failed(Reason.LLM_WRONG_SHAPE, "a multi-segment output needs \"pieces\": "
            + "two or more piece numbers between 1 and " + prompt.pieceToSegmentIndex().size()
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
    String ungrounded = groundingProblem(answer, prompt.sourceText());
    if (ungrounded != null) {
      return QaResult.failed(Reason.LLM_UNGROUNDED, ungrounded);
    }
    return QaResult.ok(question, answer, needed);
  }

  /** Null when the answer is grounded, else why not. */
  static String groundingProblem(String answer, String source) {
    Set<String> sourceWords = new LinkedHashSet<>(contentWords(source, true));
    List<String> words = contentWords(answer, false);
    if (words.isEmpty()) {
      return "the answer has no content word to check against the text";
    }
    int found = 0;
    for (String w : words) {
      boolean numeric = w.chars().allMatch(Character::isDigit);
      if (sourceWords.contains(w) || !numeric && sourceWords.contains(stem(w))) {
        found++;
      } else if (numeric) {
        return "the answer has the number " + w + ", which the text does not contain";
      }
    }
    double share = (double) found / words.size();
    if (share < MIN_GROUNDED_SHARE) {
      return String.format(Locale.ROOT, "only %.0f%% of the answer's content words occur in the "
          + "text (need %.0f%%)", share * 100, MIN_GROUNDED_SHARE * 100);
    }
    return null;
  }

  private static List<String> contentWords(String text, boolean withStems) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      String w = m.group();
      boolean numeric = w.chars().allMatch(Character::isDigit);
      if (numeric || w.length() >= 3 && !STOPWORDS.contains(w)) {
        out.add(w);
        if (withStems && !numeric) {
          out.add(stem(w));
        }
      }
    }
    return out;
  }

  /** A crude stem, so that "reported" matches "reports": the first five letters. */
  private static String stem(String w) {
    return w.length() <= 5 ? w : w.substring(0, 5);
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
