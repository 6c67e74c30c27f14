package org.in2stream.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.File;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.PipelineResult;
import org.in2stream.pipeline.config.PipelineConfig;
import org.in2stream.pipeline.config.Preflight;
import org.in2stream.runners.In2Main;

/**
 * Rows 4 and 5: runs the real job ({@link In2Main}: Kafka replay, Flink runner on the embedded
 * MiniCluster, Avro files) in this JVM, which bench.sh starts with a fixed {@code -Xmx}, and writes one
 * JSON object: wall seconds of the job (Flink start-up included), records read, examples and dead
 * letters written, and the peak heap. The MiniCluster's TaskManager lives in this JVM, so its peak
 * heap is bounded by this JVM's (which also holds the JobManager and the client). The peak is the
 * largest heap occupancy the JVM reported: the sum over heap pools just before each collection (the
 * moment the heap is fullest), and the occupancy at the end. It also sums the examples'
 * {@code contextTokens}, so the report can say how long the examples of a run were on average.
 *
 * <pre>EndToEndRun --benchOut=FILE --benchLabel=NAME --benchRecords=N [job options...]</pre>
 */
public final class EndToEndRun {
  private EndToEndRun() {}

  public static void main(String[] argv) throws Exception {
    String out = null;
    String label = "run";
    long records = -1;
    List<String> job = new ArrayList<>();
    for (String a : argv) {
      if (a.startsWith("--benchOut=")) {
        out = a.substring(11);
      } else if (a.startsWith("--benchLabel=")) {
        label = a.substring(13);
      } else if (a.startsWith("--benchRecords=")) {
        records = Long.parseLong(a.substring(15));
      } else {
        job.add(a);
      }
    }
    AtomicLong peakBeforeGc = new AtomicLong();
    AtomicLong peakAfterGc = new AtomicLong();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
          GarbageCollectionNotificationInfo info =
              GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
          long used = heapSum(info.getGcInfo().getMemoryUsageBeforeGc());
          peakBeforeGc.accumulateAndGet(used, Math::max);
          peakAfterGc.accumulateAndGet(heapSum(info.getGcInfo().getMemoryUsageAfterGc()),
              Math::max);
        }
      }, null, null);
    }

    long start = System.nanoTime();
    In2Main.Options options = In2Main.parse(job.toArray(String[]::new));
    PipelineConfig config = PipelineConfig.from(options);
    Preflight.check(config);
    PipelineResult result = In2Main.run(options, config);
    PipelineResult.State state = result.waitUntilFinish();
    double seconds = (System.nanoTime() - start) / 1e9;
    long heapNow = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long poolPeaks = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        poolPeaks += pool.getPeakUsage().getUsed();
      }
    }
    Map<String, Long> counters = In2Main.counters(result);

    ObjectNode json = new ObjectMapper().createObjectNode();
    json.put("label", label);
    json.put("state", state.toString());
    json.put("seconds", seconds);
    json.put("records", records);
    long[] examples = countRecords(Path.of(options.getOutput(), "examples"), "contextTokens");
    json.put("examples", examples[0]);
    json.put("contextTokens", examples[1]);
    json.put("deadLetters", countRecords(Path.of(options.getOutput(), "dead-letters"), null)[0]);
    json.put("peakHeapBytes", Math.max(peakBeforeGc.get(), heapNow));
    json.put("sumOfPoolPeaksBytes", poolPeaks);
    json.put("peakLiveAfterGcBytes", peakAfterGc.get());
    long gcMillis = 0;
    long gcCount = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
      gcCount += Math.max(0, gc.getCollectionCount());
    }
    json.put("gcSeconds", gcMillis / 1000.0);
    json.put("gcCount", gcCount);
    json.put("processCpuSeconds", ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9);
    json.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    json.put("parallelism", options.getParallelism());
    json.put("maxContextTokens", config.recipe().lengths().max());
    ObjectNode c = json.putObject("counters");
    counters.forEach(c::put);
    Files.writeString(Path.of(out), json.toString() + "\n");
    System.out.println(json);
    System.exit(state == PipelineResult.State.DONE ? 0 : 1);
  }

  private static long heapSum(Map<String, MemoryUsage> usage) {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = usage.get(pool.getName());
      if (pool.getType() == MemoryType.HEAP && u != null) {
        sum += u.getUsed();
      }
    }
    return sum;
  }

  /** Records in the Avro files under {@code dir}, and the sum of their int field {@code sumField}. */
  static long[] countRecords(Path dir, String sumField) throws Exception {
    if (!Files.isDirectory(dir)) {
      return new long[2];
    }
    long n = 0;
    long sum = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".avro")).toList()) {
        try (DataFileReader<GenericRecord> reader =
            new DataFileReader<>(new File(f.toString()), new GenericDatumReader<>())) {
          while (reader.hasNext()) {
            GenericRecord r = reader.next();
            if (sumField != null && r.get(sumField) instanceof Number v) {
              sum += v.longValue();
            }
            n++;
          }
        }
      }
    }
    return new long[] {n, sum};
  }
}
