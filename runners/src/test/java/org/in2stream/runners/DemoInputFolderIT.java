package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.schema.Failure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/demo.sh --input=DIR} with a 5 MB text file and a nested folder among the inputs
 * (issue 14): the local broker takes the big record, the pipeline turns it into a
 * DOCUMENT_TOO_LARGE dead letter, the nested file is sent, and the demo ends normally. Runs the
 * script as users do (its own broker from scripts/kafka-local.sh, on free ports), so it needs the
 * job jar of {@code mvn package}.
 */
class DemoInputFolderIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void bigFileAndNestedFolderThroughTheDemo(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("input");
    GenerateCorpus.Summary corpus = GenerateCorpus.generate(input, 60, 3, false);
    Path nested = Files.createDirectories(input.resolve("nested/deeper"));
    String paragraph = "The harbour committee met on a grey morning to weigh the new ferry "
        + "timetable, and every member had a different story about the tides.\n";
    Files.writeString(nested.resolve("inner.txt"), paragraph.repeat(40));
    StringBuilder big = new StringBuilder();
    while (big.length() < 5 * 1024 * 1024) {
      big.append(paragraph);
    }
    Files.writeString(input.resolve("big.txt"), big);

    Path out = tmp.resolve("out");
    Path log = tmp.resolve("demo.log");
    ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/demo.sh").toString(),
        "--input=" + input, "--output=" + out, "--inputTopic=in2-demo-folder-it",
        "--minContextTokens=1024", "--maxContextTokens=2048", "--parallelism=1")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KAFKA_PORT", Integer.toString(freePort()));
    pb.environment().put("KAFKA_CONTROLLER_PORT", Integer.toString(freePort()));
    pb.environment().put("DEMO_HEAP", "1500m");
    Process p = pb.start();
    boolean ended = p.waitFor(15, TimeUnit.MINUTES);
    if (!ended) {
      p.destroy();
    }
    String printed = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(printed);
    assertTrue(ended, "demo.sh did not end within 15 minutes");
    assertEquals(0, p.exitValue(), "demo.sh exit status");

    long expected = corpus.documents() + 2; // the generated ones, the nested file, the big file
    assertTrue(printed.contains("Sent " + expected + " records from " + input), printed);
    assertTrue(!printed.contains("not sent"), "nothing skipped: the local broker takes 5 MB");
    List<Failure> tooLarge = new ArrayList<>();
    for (Failure f : deadLetters(out)) {
      if (f.getReason().equals("DOCUMENT_TOO_LARGE")) {
        tooLarge.add(f);
      }
    }
    assertEquals(1, tooLarge.size(), "the 5 MB file is one DOCUMENT_TOO_LARGE dead letter");
    assertTrue(tooLarge.get(0).getMessage().contains("2097152"), tooLarge.get(0).getMessage());
  }

  private static List<Failure> deadLetters(Path out) throws IOException {
    List<Failure> all = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(out.resolve("dead-letters"))) {
      files = s.filter(f -> f.toString().endsWith(".avro")).toList();
    }
    for (Path f : files) {
      try (DataFileReader<Failure> r = new DataFileReader<>(f.toFile(),
          new SpecificDatumReader<>(Failure.class))) {
        r.forEach(all::add);
      }
    }
    return all;
  }
}
