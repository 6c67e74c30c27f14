package org.in2stream.runners.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Ready-to-use trainer configs for an export, written into {@code <card>/trainers/}, each pointing
 * at the exported shards by absolute path: LLaMA-Factory's {@code dataset_info.json}, an axolotl
 * {@code datasets:} block, a torchtune dataset block, a Python {@code datasets.load_dataset}
 * snippet, the export summary, and a README that names the trainer settings that silently
 * truncate (or drop) long rows. The chat-format configs are written for the {@code messages}
 * schema; the other schemas get the Python snippet and the README.
 */
final class TrainerConfigs {
  static final String DIR = "trainers";
  /** The dataset's name in LLaMA-Factory's {@code dataset_info.json}. */
  static final String DATASET_NAME = "in2_stream";

  private TrainerConfigs() {}

  static List<Path> write(Path card, Export.Settings s, Export.Result r) throws IOException {
    Path dir = card.resolve(DIR);
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    String stem = s.schema().id() + "-" + s.format();
    written.add(put(dir.resolve("export-" + stem + ".json"), Export.summary(s, r)));
    List<String> files = r.files().stream().map(f -> f.toAbsolutePath().normalize().toString())
        .toList();
    String builder = s.format().equals("parquet") ? "parquet" : "json";
    written.add(put(dir.resolve("load_dataset-" + stem + ".py"), loadDataset(s, builder, files)));
    if (s.schema() == TrainerSchema.MESSAGES) {
      written.add(put(dir.resolve("dataset_info.json"), llamaFactory(s, files)));
      written.add(put(dir.resolve("axolotl-datasets.yaml"), axolotl(s, builder, files)));
      written.add(put(dir.resolve("torchtune-dataset.yaml"), torchtune(s, builder, files)));
    }
    written.add(put(dir.resolve("README.md"), readme()));
    return written;
  }

  static String loadDataset(Export.Settings s, String builder, List<String> files) {
    String list = files.stream().map(f -> "        " + py(f) + ",").collect(Collectors.joining("\n"));
    String trl = switch (s.schema()) {
      case MESSAGES -> """
          # TRL: a conversational dataset; the model's chat template is applied by the trainer.
          # Loss on the answer only needs a chat template with {% generation %} markers:
          #   SFTConfig(assistant_only_loss=True, max_length=None)   # or the max length you train at
          """;
      case PROMPT_COMPLETION -> """
          # TRL: conversational prompt-completion; the loss is on the completion by default
          # (completion_only_loss). SFTConfig(max_length=None) or the length you train at.
          """;
      case TEXT -> """
          # The rendered training template is in "text"; answerCodePointOffset is the answer's start as
          # a Python str index (mask the loss before it); answerByteOffset in UTF-8 bytes.
          # film-v1 texts end with the answer and no end-of-sequence token: append your tokenizer's EOS.
          # chatml-v1 texts end with <|im_end|>.
          """;
      case RAW -> """
          # Every field of the pipeline's records; "prompt" is rendered with the record's template.
          """;
    };
    return String.format(Locale.ROOT, """
        # in2-stream export (schema %s, %s): load it with Hugging Face datasets.
        from datasets import load_dataset

        ds = load_dataset(
            "%s",
            data_files={"%s": [
        %s
            ]},
            split="%s",
        )
        print(ds)
        %s""", s.schema().id(), s.format(), builder, s.split(), list, s.split(), trl);
  }

  static String llamaFactory(Export.Settings s, List<String> files) {
    String file = files.size() == 1 ? files.get(0) : parent(files);
    return String.format(Locale.ROOT, """
        {
          "%s": {
            "file_name": %s,
            "formatting": "sharegpt",
            "columns": {"messages": "messages"},
            "tags": {
              "role_tag": "role",
              "content_tag": "content",
              "user_tag": "user",
              "assistant_tag": "assistant",
              "system_tag": "system"
            }
          }
        }
        """, DATASET_NAME, json(file));
  }

  static String axolotl(Export.Settings s, String builder, List<String> files) {
    String list = files.stream().map(f -> "      - " + json(f)).collect(Collectors.joining("\n"));
    return String.format(Locale.ROOT, """
        # in2-stream export (schema messages, %s). Rows longer than sequence_len are DROPPED by
        # axolotl: set it to your training length (and export with --maxSequenceTokens to see how many).
        datasets:
          - path: %s
            ds_type: %s
            data_files:
        %s
            type: chat_template
            field_messages: messages
            message_property_mappings:
              role: role
              content: content
            roles_to_train: ["assistant"]
        """, s.format(), json(parent(files)), builder, list);
  }

  static String torchtune(Export.Settings s, String builder, List<String> files) {
    String list = files.stream().map(f -> "    - " + json(f)).collect(Collectors.joining("\n"));
    return String.format(Locale.ROOT, """
        # in2-stream export (schema messages, %s) for torchtune's chat_dataset, OpenAI message style.
        # The tokenizer's max_seq_len TRUNCATES longer rows when set: use your training length.
        dataset:
          _component_: torchtune.datasets.chat_dataset
          source: %s
          data_files:
        %s
          split: %s
          conversation_column: messages
          conversation_style: openai
          train_on_input: False
        """, s.format(), builder, list, s.split());
  }

  static String readme() {
    return """
        # Loading the export into a trainer

        Files here (written by `scripts/export.sh`; paths inside are absolute):

        | file | for |
        |---|---|
        | `load_dataset-<schema>-<format>.py` | Hugging Face `datasets` (and TRL) |
        | `dataset_info.json` | LLaMA-Factory: `dataset_dir` = this folder, `dataset: in2_stream` |
        | `axolotl-datasets.yaml` | the `datasets:` block of an axolotl config |
        | `torchtune-dataset.yaml` | the `dataset:` block of a torchtune recipe config |
        | `export-<schema>-<format>.json` | rows read, written and dropped as too long, the shard files |

        ## Settings that silently cut long rows

        IN2 contexts are long (4K-32K tokens by default); these trainer defaults lose their ends:

        - **TRL** `SFTConfig(max_length=1024)` is the default: every longer row is truncated from the
          right, and the answer (at the end) is what goes. Set `max_length` to your training length
          or `None`.
        - **LLaMA-Factory** `cutoff_len` (2048 by default) truncates: set it to your training length.
        - **axolotl** drops rows longer than `sequence_len` (logged as "Dropping Long Sequences").
        - **torchtune** tokenizers truncate at `max_seq_len` when it is set.

        Export with `--maxSequenceTokens=N --tokenizer=hf:/path/to/your/tokenizer.json` to drop and
        count such rows yourself (`--templateTokens` is the allowance for the chat template's own
        tokens, 64 by default), so what the trainer sees is what the card describes.

        ## End of sequence

        - `messages`, `prompt-completion`: the trainer's chat template adds the end-of-turn token.
        - `text` with `film-v1`: the text ends with the answer, no end-of-sequence token: append the
          tokenizer's EOS (TRL's `SFTTrainer` does for `text` rows in recent versions; check yours).
        - `text` with `chatml-v1`: the text ends with `<|im_end|>`.
        """;
  }

  private static String parent(List<String> files) {
    return files.isEmpty() ? "" : Path.of(files.get(0)).getParent().toString();
  }

  private static Path put(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String py(String s) {
    return json(s);
  }
}
