package org.in2stream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.in2stream.pipeline.segment.Segmenter;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.schema.Segment;
import org.in2stream.schema.Source;

/**
 * The benchmark text: the documents of the corpus that {@code GenerateCorpus} wrote (its
 * {@code corpus-*.jsonl} files, field {@code text}), the same text the end-to-end runs read from Kafka.
 */
final class Corpus {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Corpus() {}

  /** The first {@code max} documents' texts, in file order. */
  static List<String> texts(String dir, int max) {
    if (dir == null || dir.isEmpty()) {
      throw new IllegalArgumentException("no corpus directory (JMH parameter corpus=DIR)");
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("corpus-.*[.]jsonl"))
          .sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (out.size() >= max) {
            return out;
          }
          JsonNode node = JSON.readTree(line);
          out.add(node.get("text").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static long utf8Bytes(List<String> texts) {
    long n = 0;
    for (String t : texts) {
      n += t.getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }

  static long tokens(List<String> texts, TextTokenizer tokenizer) {
    long n = 0;
    for (String t : texts) {
      n += tokenizer.count(t);
    }
    return n;
  }

  /** Segments of every document, made as the pipeline makes them (128 / 512 tokens). */
  static List<List<Segment>> segmented(List<String> texts, TextTokenizer tokenizer) {
    Segmenter segmenter = new Segmenter(tokenizer, 128, 512);
    List<List<Segment>> out = new ArrayList<>();
    for (int d = 0; d < texts.size(); d++) {
      List<Segmenter.Piece> pieces = segmenter.segment(texts.get(d));
      List<Segment> segs = new ArrayList<>();
      for (int i = 0; i < pieces.size(); i++) {
        segs.add(Segment.newBuilder().setDocId("doc-" + d).setIndex(i)
            .setText(pieces.get(i).text()).setTokens(pieces.get(i).tokens())
            .setSource(new Source("bench", 0, (long) d, 1_700_000_000_000L + d)).build());
      }
      out.add(segs);
    }
    return out;
  }
}
