package org.in2stream.runners.tools;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The row layouts training stacks read, built from the example schema by field name: the chat or
 * text columns first, then every other field of the example as a plain column (ids, kind, lengths,
 * depths, spans, provenance, and whatever fields later versions add), so nothing is lost and new
 * fields flow through without code changes.
 *
 * <ul>
 *   <li>{@code messages}: {@code [{role: user, content: context + "\n\n" + question},
 *       {role: assistant, content: answer}]}, with an optional system turn first. No training
 *       template inside: the trainer applies the model's own chat template.
 *   <li>{@code prompt-completion}: TRL's conversational prompt/completion pair: {@code prompt} is
 *       the (system and) user turn, {@code completion} the assistant turn.
 *   <li>{@code text}: the record's rendered template ({@code prompt + completion}) as {@code text},
 *       with the answer's start in UTF-16 units ({@code answerCharOffset}), code points
 *       ({@code answerCodePointOffset}, Python's {@code str} index) and UTF-8 bytes
 *       ({@code answerByteOffset}).
 *   <li>{@code raw}: the example as written by the pipeline.
 * </ul>
 */
enum TrainerSchema {
  MESSAGES("messages"),
  PROMPT_COMPLETION("prompt-completion"),
  TEXT("text"),
  RAW("raw");

  /** Between the context and the question in the user turn. */
  static final String CONTEXT_QUESTION_SEPARATOR = "\n\n";
  /** The example fields that the chat and text columns replace. */
  private static final Set<String> TEXT_FIELDS =
      Set.of("context", "question", "answer", "prompt", "completion", "answerCharOffset");
  private static final String NAMESPACE = "org.in2stream.export";

  private final String id;

  TrainerSchema(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  static TrainerSchema parse(String value) {
    for (TrainerSchema s : values()) {
      if (s.id.equals(value.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown --schema=" + value
        + "; use messages, prompt-completion, text or raw");
  }

  /** One chat turn: {@code {role, content}} (the OpenAI message shape). */
  static Schema messageSchema() {
    return Schema.createRecord("Message", "one chat turn", NAMESPACE, false, List.of(
        new Schema.Field("role", Schema.create(Schema.Type.STRING)),
        new Schema.Field("content", Schema.create(Schema.Type.STRING))));
  }

  /** The output schema for rows made from examples of {@code example}. */
  Schema schema(Schema example) {
    if (this == RAW) {
      return example;
    }
    List<Schema.Field> fields = new ArrayList<>();
    Schema turns = Schema.createArray(messageSchema());
    switch (this) {
      case MESSAGES -> fields.add(new Schema.Field("messages", turns,
          "chat turns: optional system, user (context + question), assistant (answer)"));
      case PROMPT_COMPLETION -> {
        fields.add(new Schema.Field("prompt", turns, "the system (optional) and user turns"));
        fields.add(new Schema.Field("completion", Schema.createArray(messageSchema()),
            "the assistant turn: the answer"));
      }
      case TEXT -> {
        fields.add(new Schema.Field("text", Schema.create(Schema.Type.STRING),
            "the rendered training template: prompt + completion of the example"));
        fields.add(new Schema.Field("answerCharOffset", Schema.create(Schema.Type.INT),
            "where the answer starts in text, UTF-16 units (Java, JavaScript)"));
        fields.add(new Schema.Field("answerCodePointOffset", Schema.create(Schema.Type.INT),
            "where the answer starts in text, code points (Python str index)"));
        fields.add(new Schema.Field("answerByteOffset", Schema.create(Schema.Type.INT),
            "where the answer starts in text, UTF-8 bytes"));
      }
      default -> throw new IllegalStateException(name());
    }
    for (Schema.Field f : example.getFields()) {
      if (!TEXT_FIELDS.contains(f.name())) {
        fields.add(new Schema.Field(f, f.schema()));
      }
    }
    String name = switch (this) {
      case MESSAGES -> "MessagesRow";
      case PROMPT_COMPLETION -> "PromptCompletionRow";
      default -> "TextRow";
    };
    return Schema.createRecord(name, "in2-stream export, schema " + id, NAMESPACE, false, fields);
  }

  /** The row of {@code example}; {@code system} (may be null) becomes a first system turn. */
  GenericRecord row(Schema out, GenericRecord example, String system) {
    if (this == RAW) {
      return example;
    }
    GenericData.Record row = new GenericData.Record(out);
    String user = str(example, "context") + CONTEXT_QUESTION_SEPARATOR + str(example, "question");
    String answer = str(example, "answer");
    switch (this) {
      case MESSAGES -> {
        Schema turn = out.getField("messages").schema().getElementType();
        List<GenericRecord> turns = new ArrayList<>(3);
        if (system != null) {
          turns.add(turn(turn, "system", system));
        }
        turns.add(turn(turn, "user", user));
        turns.add(turn(turn, "assistant", answer));
        row.put("messages", turns);
      }
      case PROMPT_COMPLETION -> {
        Schema turn = out.getField("prompt").schema().getElementType();
        List<GenericRecord> prompt = new ArrayList<>(2);
        if (system != null) {
          prompt.add(turn(turn, "system", system));
        }
        prompt.add(turn(turn, "user", user));
        row.put("prompt", prompt);
        row.put("completion", List.of(turn(turn, "assistant", answer)));
      }
      case TEXT -> {
        String text = str(example, "prompt") + str(example, "completion");
        int utf16 = (Integer) example.get("answerCharOffset");
        row.put("text", text);
        row.put("answerCharOffset", utf16);
        row.put("answerCodePointOffset", utf16 < 0 ? -1 : text.codePointCount(0, utf16));
        row.put("answerByteOffset",
            utf16 < 0 ? -1 : text.substring(0, utf16).getBytes(StandardCharsets.UTF_8).length);
      }
      default -> throw new IllegalStateException(name());
    }
    for (Schema.Field f : out.getFields()) {
      if (example.getSchema().getField(f.name()) != null && row.get(f.name()) == null
          && !TEXT_FIELDS.contains(f.name())) {
        row.put(f.name(), example.get(f.name()));
      }
    }
    return row;
  }

  /**
   * The texts whose tokens a trainer counts for this row, in order (template tokens excluded): the
   * turns' contents for the chat schemas, the rendered text for {@code text} and {@code raw}.
   */
  List<String> texts(GenericRecord example, String system) {
    List<String> texts = new ArrayList<>(3);
    if (this == TEXT || this == RAW) {
      texts.add(str(example, "prompt") + str(example, "completion"));
      return texts;
    }
    if (system != null) {
      texts.add(system);
    }
    texts.add(str(example, "context") + CONTEXT_QUESTION_SEPARATOR + str(example, "question"));
    texts.add(str(example, "answer"));
    return texts;
  }

  private static GenericRecord turn(Schema schema, String role, String content) {
    GenericData.Record r = new GenericData.Record(schema);
    r.put("role", role);
    r.put("content", content);
    return r;
  }

  private static String str(GenericRecord r, String field) {
    Object v = r.get(field);
    if (v == null) {
      throw new IllegalArgumentException("example " + r.get("id") + " has no " + field);
    }
    return v.toString();
  }
}
