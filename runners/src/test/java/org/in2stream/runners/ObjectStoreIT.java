package org.in2stream.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.runners.s3.PathStyleS3Clients;
import org.in2stream.runners.tools.GenerateCorpus;
import org.in2stream.runners.tools.OutputReport;
import org.in2stream.runners.tools.ProduceDocs;
import org.in2stream.schema.Failure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The rest of the object-storage paths, against the real S3-compatible server S3OutputIT uses
 * (s3proxy with signature checks): {@code --decontaminate} read from a bucket; the output read back
 * from the bucket by {@code scripts/export.sh} and the dataset card, byte for byte the same as from
 * a local run; and {@code --llmCache=file:s3://...} refused in one line (ResponseCaches says why).
 * The tools run as a user runs them: the shaded jar in a child process, credentials from the AWS
 * environment variables.
 */
class ObjectStoreIT {
  @RegisterExtension
  static final EmbeddedKafka.PerClass kafka = new EmbeddedKafka.PerClass();

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String KEY_ID = "in2-test-key";
  private static final String SECRET = "in2-test-secret";
  private static final String BUCKET = "in2-store";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LocalS3 server;
  private static S3Client s3;
  private static URI endpoint;

  @BeforeAll
  static void startS3() throws Exception {
    server = LocalS3.start(KEY_ID, SECRET, BUCKET);
    s3 = server.client();
    endpoint = server.endpoint();
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** The job's and the tools' S3 settings (no credentials: those come from the environment). */
  private static List<String> s3Options() {
    return List.of("--awsRegion=us-east-1", "--endpoint=" + endpoint,
        "--s3ClientFactoryClass=" + PathStyleS3Clients.class.getName());
  }

  @Test
  void decontaminateFromABucketAndExportAndCardReadTheBucketLikeALocalFolder(@TempDir Path tmp)
      throws Exception {
    Path corpus = tmp.resolve("corpus");
    GenerateCorpus.generate(corpus, 120, 17, true);
    ProduceDocs.recreateTopic(kafka.bootstrapServers(), "store-docs", 2);
    long sent = ProduceDocs.produce(kafka.bootstrapServers(), "store-docs", corpus);

    // Evaluation texts: three documents of the corpus (whole .txt files that decode as UTF-8, or
    // the text of .jsonl lines), as JSON lines, uploaded to the bucket.
    List<String> evalTexts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(corpus)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        List<String> texts = new ArrayList<>();
        try {
          if (f.toString().endsWith(".txt")) {
            texts.add(Files.readString(f));
          } else if (f.toString().endsWith(".jsonl")) {
            for (String line : Files.readAllLines(f)) {
              try {
                String t = JSON.readTree(line).path("text").asText("");
                if (t.split("\\s+").length > 50) {
                  texts.add(t);
                }
              } catch (java.io.IOException badLine) {
                // the corpus has broken lines on purpose
              }
            }
          }
        } catch (java.nio.charset.CharacterCodingException badFile) {
          continue; // and files that are not UTF-8
        }
        for (String t : texts) {
          if (evalTexts.size() < 3) {
            evalTexts.add(t);
          }
        }
      }
    }
    assertEquals(3, evalTexts.size());
    StringBuilder eval = new StringBuilder();
    for (String t : evalTexts) {
      eval.append(JSON.writeValueAsString(Map.of("text", t))).append('\n');
    }
    s3.putObject(b -> b.bucket(BUCKET).key("eval/eval.jsonl"), RequestBody.fromString(
        eval.toString(), StandardCharsets.UTF_8));
    String evalUri = "s3://" + BUCKET + "/eval/eval.jsonl";

    // A wrong key is one line before the job starts.
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> In2Main.prepare(args("store-docs", tmp.resolve("never").toString(),
            "--decontaminate=s3://" + BUCKET + "/eval/missing.jsonl")));
    System.out.println("missing evaluation object: " + missing.getMessage());
    assertTrue(missing.getMessage().contains("no object there"), missing.getMessage());

    Path local = tmp.resolve("run");
    String remote = "s3://" + BUCKET + "/runs/run";
    // With an evaluation split too: its documents under eval/documents count as accounted for.
    Map<String, Long> localCounters = runJob(args("store-docs", local.toString(),
        "--decontaminate=" + evalUri, "--evalSplit=hash:0.2"));
    In2Main.writeCounters(localCounters, local.toString());
    Map<String, Long> remoteCounters = runJob(args("store-docs", remote,
        "--decontaminate=" + evalUri, "--evalSplit=hash:0.2"));
    In2Main.writeCounters(remoteCounters, remote);

    OutputReport.Report report = OutputReport.read(local);
    assertEquals(List.of(), report.violations());
    assertEquals(sent, report.inputsAccounted().size());
    // The same accounting read back from the bucket (the job's options set up s3:// here).
    OutputReport.Report fromBucket = OutputReport.read(remote);
    assertEquals(List.of(), fromBucket.violations());
    assertEquals(report.inputsAccounted(), fromBucket.inputsAccounted());
    assertEquals(report.examples().size(), fromBucket.examples().size());
    List<Failure> contaminated = report.failures().stream()
        .filter(f -> f.getReason().equals("CONTAMINATED")).toList();
    System.out.printf("decontaminate from %s: %d documents dropped as CONTAMINATED%n", evalUri,
        contaminated.size());
    // Each evaluation text is a whole document of the topic: at least those three are dropped.
    assertTrue(contaminated.size() >= evalTexts.size(), "CONTAMINATED: " + contaminated.size());
    assertTrue(contaminated.stream().allMatch(f -> f.getMessage().contains(evalUri)));
    // The generated corpus repeats phrasing across documents, so three evaluation texts share
    // 10-grams with most of it: some examples must remain for the read-back below.
    assertFalse(report.examples().isEmpty(), "examples: " + report.examples().size());

    // scripts/export.sh: the same shards from the bucket as from the local folder.
    Path exportLocal = tmp.resolve("export-local");
    Path exportRemote = tmp.resolve("export-remote");
    String printed = tool(List.of(ROOT.resolve("scripts/export.sh").toString(),
        "--input=" + local, "--output=" + exportLocal, "--card=" + tmp.resolve("card-l"),
        "--format=jsonl", "--schema=messages"));
    List<String> remoteExport = new ArrayList<>(List.of(
        ROOT.resolve("scripts/export.sh").toString(), "--input=" + remote,
        "--output=" + exportRemote, "--card=" + tmp.resolve("card-r"), "--format=jsonl",
        "--schema=messages"));
    remoteExport.addAll(s3Options());
    String printedRemote = tool(remoteExport);
    System.out.println("export.sh --input=" + remote + ":\n" + printedRemote);
    Map<String, byte[]> a = files(exportLocal);
    Map<String, byte[]> b = files(exportRemote);
    assertFalse(a.isEmpty());
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    assertTrue(printed.contains("Exported " + report.examples().size() + " of "
        + report.examples().size()), printed);
    assertTrue(printedRemote.contains("Exported " + report.examples().size() + " of "
        + report.examples().size()), printedRemote);

    // The dataset card from the bucket: the same page (but for where the folder is) and plots.
    String jar = jar();
    tool(List.of("java", "-cp", jar, "org.in2stream.runners.tools.DatasetCard",
        "--output=" + local, "--card=" + tmp.resolve("card-local")));
    List<String> card = new ArrayList<>(List.of("java", "-cp", jar,
        "org.in2stream.runners.tools.DatasetCard", "--output=" + remote,
        "--card=" + tmp.resolve("card-remote")));
    card.addAll(s3Options());
    System.out.println("DatasetCard --output=" + remote + ": " + tool(card));
    String localCard = Files.readString(tmp.resolve("card-local/README.md"));
    String remoteCard = Files.readString(tmp.resolve("card-remote/README.md"));
    assertTrue(remoteCard.contains("`" + remote + "`"), remoteCard.substring(0, 300));
    assertTrue(localCard.contains("| boilerplate removed") && !localCard.contains("not recorded"),
        "job-counters.tsv was read");
    assertEquals(localCard.replace("`" + local + "`", "`LOCATION`"),
        remoteCard.replace("`" + remote + "`", "`LOCATION`"));
    for (String png : List.of("context-lengths.png", "kind-mixture.png", "dead-letters.png")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("card-local").resolve(png)),
          Files.readAllBytes(tmp.resolve("card-remote").resolve(png)), png);
    }
  }

  @Test
  void aResponseCacheInABucketIsAOneLineConfigurationError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> In2Main.prepare(args("never-read", "/tmp/never", "--generator=openai",
            "--llmUrl=http://127.0.0.1:1/v1", "--llmModel=m",
            "--llmCache=file:s3://" + BUCKET + "/llm-cache")));
    System.out.println("--llmCache=file:s3://...: " + e.getMessage());
    assertTrue(e.getMessage().contains("cannot live in an object store")
        && e.getMessage().contains("redis://"), e.getMessage());
  }

  private static String[] args(String topic, String output, String... extra) {
    List<String> all = new ArrayList<>(List.of(
        "--bootstrapServers=" + kafka.bootstrapServers(),
        "--inputTopic=" + topic,
        "--output=" + output,
        "--outputFormats=avro",
        "--numShards=2",
        "--parallelism=2",
        "--minContextTokens=2048",
        "--maxContextTokens=8192"));
    all.addAll(s3Options());
    all.addAll(List.of(extra));
    return all.toArray(String[]::new);
  }

  /** Through the launcher's checks (prepare), as In2Main's main runs a job. */
  private static Map<String, Long> runJob(String... args) {
    In2Main.Prepared job = In2Main.prepare(args);
    return run(job.options());
  }

  /** Without the preflight (no LLM call of its own). */
  private static Map<String, Long> runParsed(String... args) {
    return run(In2Main.parse(args));
  }

  private static Map<String, Long> run(In2Main.Options options) {
    PipelineResult result = In2Main.run(options, PipelineConfig.from(options));
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    return In2Main.counters(result);
  }

  /** Runs a tool in a child process with the AWS credentials in its environment; its output. */
  private static String tool(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("AWS_ACCESS_KEY_ID", KEY_ID);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", SECRET);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
    return out;
  }

  private static String jar() throws Exception {
    try (Stream<Path> s = Files.list(ROOT.resolve("runners/target"))) {
      return s.map(Path::toString).filter(n -> n.endsWith("-flink.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no *-flink.jar: run mvn package"));
    }
  }

  private static Map<String, byte[]> files(Path dir) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        out.put(f.getFileName().toString(), Files.readAllBytes(f));
      }
    }
    return out;
  }
}
