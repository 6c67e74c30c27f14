package org.in2stream.pipeline.dedup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.in2stream.pipeline.TestTexts;
import org.in2stream.pipeline.source.Deduplicate;
import org.in2stream.pipeline.source.DocumentDecoder;
import org.in2stream.schema.Document;
import org.in2stream.schema.RawRecord;

/**
 * Bytes of dedup state per million documents, measured: documents are decoded the way the job
 * decodes them, deduplicated by the same cores (exact key, MinHash, band keys) and laid out in the
 * state the DoFns keep at steady state, every key and value encoded with the coders the DoFns
 * declare. Transient state (items waiting for the watermark, verdicts waiting for their bands) lasts
 * until the watermark passes an item and is not counted. Writes the figures as Markdown.
 *
 * <pre>scripts/dedup-state-size.sh [--docs=20000] [--recrawlShare=0.2]</pre>
 */
public final class DedupStateSize {
  private DedupStateSize() {}

  public static void main(String[] args) throws IOException {
    int docs = 20_000;
    double recrawlShare = 0.2;
    Path out = null;
    for (String a : args) {
      if (a.startsWith("--docs=")) {
        docs = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("--recrawlShare=")) {
        recrawlShare = Double.parseDouble(a.substring(15));
      } else if (a.startsWith("--out=")) {
        out = Path.of(a.substring(6));
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    MinHash minHash = new MinHash(DedupSettings.DOCUMENT_MINHASH);
    Map<String, ExactDuplicates.Root> exact = new HashMap<>();
    Map<Long, List<Sketch>> buckets = new HashMap<>();
    int exactCopies = 0;
    int nearCopies = 0;
    long textBytes = 0;
    long started = System.nanoTime();
    long sketchNanos = 0;
    java.util.SplittableRandom rng = new java.util.SplittableRandom(42);
    List<String> earlier = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      String text;
      boolean recrawl = i > 0 && rng.nextDouble() < recrawlShare;
      if (recrawl && rng.nextBoolean()) {
        text = earlier.get(rng.nextInt(earlier.size())); // the same page again
      } else if (recrawl) {
        text = earlier.get(rng.nextInt(earlier.size())) + "\nUpdated " + i + ". Cookie settings.";
      } else {
        text = TestTexts.document(1_000_000L + i, 3 + rng.nextInt(8));
        earlier.add(text);
      }
      RawRecord raw = RawRecord.newBuilder().setTopic("crawl").setPartition(i % 8)
          .setOffset(i / 8).setTimestamp(1_700_000_000_000L + i * 1000L)
          .setValue(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))).build();
      Document d = DocumentDecoder.decode(raw).document();
      textBytes += text.length();
      long t = d.getSource().getTimestamp();
      ExactDuplicates.Root root = exact.get(d.getContentSha256());
      if (root != null) {
        exactCopies++;
        exact.put(d.getContentSha256(), new ExactDuplicates.Root(root.kept(), t));
        continue;
      }
      exact.put(d.getContentSha256(), new ExactDuplicates.Root(new Match(d.getId(), t,
          Deduplicate.KEYS.orderKey(d), 1.0), t));
      long s0 = System.nanoTime();
      long[] signature = minHash.signature(d.getText());
      long[] bands = minHash.bandKeys(signature);
      sketchNanos += System.nanoTime() - s0;
      Sketch sketch = new Sketch(d.getId(), t, Deduplicate.KEYS.orderKey(d),
          MinHash.bbit(signature));
      boolean near = false;
      for (long band : bands) {
        List<Sketch> bucket = buckets.computeIfAbsent(band, k -> new ArrayList<>());
        for (Sketch e : bucket) {
          near |= MinHash.estimate(e.bits(), sketch.bits())
              >= DedupSettings.DEFAULT_NEAR_THRESHOLD;
        }
        bucket.add(sketch);
      }
      nearCopies += near ? 1 : 0;
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    // exact state: key (the hex SHA-256), the root value, one expiry timer (key + 8-byte time)
    long exactKeyBytes = 0;
    long exactValueBytes = 0;
    for (Map.Entry<String, ExactDuplicates.Root> e : exact.entrySet()) {
      exactKeyBytes += size(StringUtf8Coder.of(), e.getKey());
      exactValueBytes += size(ExactDuplicates.Root.RootCoder.INSTANCE, e.getValue());
    }
    long exactTimerBytes = exactKeyBytes + 8L * exact.size();
    // bucket state: key (the band key), the list of sketches, one expiry timer
    long bucketKeyBytes = 0;
    long bucketValueBytes = 0;
    int largest = 0;
    for (Map.Entry<Long, List<Sketch>> e : buckets.entrySet()) {
      bucketKeyBytes += size(VarLongCoder.of(), e.getKey());
      bucketValueBytes += size(ListCoder.of(Sketch.SketchCoder.INSTANCE), e.getValue());
      largest = Math.max(largest, e.getValue().size());
    }
    long bucketTimerBytes = bucketKeyBytes + 8L * buckets.size();
    long exactTotal = exactKeyBytes + exactValueBytes + exactTimerBytes;
    long nearTotal = bucketKeyBytes + bucketValueBytes + bucketTimerBytes;
    double perDoc = (double) (exactTotal + nearTotal) / docs;

    StringBuilder md = new StringBuilder();
    md.append("<!-- generated by scripts/dedup-state-size.sh (DedupStateSize); do not edit -->\n");
    md.append(String.format(Locale.ROOT, "Run: %,d documents (%.0f%% re-crawls: half exact copies, "
        + "half with a changed last line), mean %,.0f characters; %,d exact copies and %,d near "
        + "copies found; %s.%n%n", docs, recrawlShare * 100, (double) textBytes / docs, exactCopies,
        nearCopies, "all documents inside one horizon (the steady state of a full horizon)"));
    md.append("| state | keys | key bytes | value bytes | timer bytes | total | per document |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    row(md, "ExactDuplicates (per content hash)", exact.size(), exactKeyBytes, exactValueBytes,
        exactTimerBytes, docs);
    row(md, "NearDuplicates buckets (per band key)", buckets.size(), bucketKeyBytes,
        bucketValueBytes, bucketTimerBytes, docs);
    md.append(String.format(Locale.ROOT, "%n**%,.0f bytes per document: %,.0f MB of encoded state "
        + "per million documents in the horizon** (largest bucket: %d sketches). Backend overhead "
        + "per entry (RocksDB key prefix: key group, namespace, state name) comes on top.%n",
        perDoc, perDoc, largest));
    String load = "unknown";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
    } catch (IOException | RuntimeException e) {
      // not Linux: the load stays unknown
    }
    md.append(String.format(Locale.ROOT, "%nSignature cost: %,.0f documents/s on one thread "
        + "(MinHash with %d permutations and %d band keys; whole run %.1f s; %d cores, load "
        + "average %s when the run ended: a loaded machine gives lower figures).%n",
        (docs - exactCopies) / (sketchNanos / 1e9), DedupSettings.DOCUMENT_MINHASH.permutations(),
        DedupSettings.DOCUMENT_MINHASH.bands(), seconds,
        Runtime.getRuntime().availableProcessors(), load));
    System.out.print(md);
    if (out != null) {
      Files.writeString(out, md.toString());
      System.out.println("wrote " + out);
    }
  }

  private static void row(StringBuilder md, String name, int keys, long k, long v, long t,
      int docs) {
    long total = k + v + t;
    md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %.1f |%n", name,
        keys, k, v, t, total, (double) total / docs));
  }

  private static <T> long size(Coder<T> coder, T value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    coder.encode(value, bytes);
    return bytes.size();
  }
}
