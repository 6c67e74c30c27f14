package org.in2stream.pipeline.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.values.PDone;
import org.apache.parquet.hadoop.ParquetWriter;
import org.in2stream.pipeline.util.Hashing;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * Writes files whose names and bytes depend only on the records: a record goes to
 * shard {@code hash(id) mod numShards}; each (window, shard) becomes one file, records sorted by id,
 * duplicates of an id written once, with a sync marker derived from the file name. A file rewritten
 * after a Flink restore (file sinks there are at-least-once) therefore has identical contents, and
 * two replays of the same input give byte-identical files.
 *
 * <p>Formats: Avro container files by default; with more {@link OutputFormat}s every format is
 * written beside the others from the same sorted, de-duplicated records ({@code part-...avro},
 * {@code part-...parquet}, {@code part-...jsonl}), so they hold the same records in the same order.
 *
 * <p>Layout: {@code <dir>/<window>/part-<shard>-of-<numShards>.<ext>}, where {@code <window>} is
 * {@code all} for the global window, else {@code <start>_<end>} in UTC, with {@code -late<N>}
 * appended for late panes. Files are written to a temporary name and renamed into place.
 *
 * <p>Memory: one (window, shard) group is sorted in memory, so raise {@code numShards} when windows
 * hold many examples (a 32K example is about 150 KB).
 */
public final class DeterministicAvroFiles<T extends SpecificRecordBase>
    extends PTransform<PCollection<T>, PDone> {
  private static final DateTimeFormatter STAMP = ISODateTimeFormat.basicDateTimeNoMillis()
      .withZoneUTC();

  private final Class<T> type;
  private final String directory;
  private final int numShards;
  private final SerializableFunction<T, String> idFn;
  private final List<OutputFormat> formats;

  public DeterministicAvroFiles(Class<T> type, String directory, int numShards,
      SerializableFunction<T, String> idFn) {
    this(type, directory, numShards, idFn, List.of(OutputFormat.AVRO));
  }

  public DeterministicAvroFiles(Class<T> type, String directory, int numShards,
      SerializableFunction<T, String> idFn, List<OutputFormat> formats) {
    if (numShards < 1) {
      throw new IllegalArgumentException("numShards must be >= 1, got " + numShards);
    }
    if (formats.isEmpty()) {
      throw new IllegalArgumentException("at least one output format is required");
    }
    this.type = type;
    this.directory = directory.endsWith("/") ? directory : directory + "/";
    this.numShards = numShards;
    this.idFn = idFn;
    this.formats = List.copyOf(formats);
  }

  @Override
  public PDone expand(PCollection<T> input) {
    input
        .apply("AssignShard", ParDo.of(new AssignShardFn<>(numShards, idFn)))
        .setCoder(KvCoder.of(VarIntCoder.of(), AvroCoder.specific(type)))
        .apply("GroupByShard", GroupByKey.create())
        .apply("WriteFiles", ParDo.of(new WriteShardFn<>(type, directory, numShards, idFn,
            formats)));
    return PDone.in(input.getPipeline());
  }

  /** The folder name of a window. */
  static String windowLabel(BoundedWindow window, PaneInfo pane) {
    String label = window instanceof IntervalWindow w
        ? STAMP.print(w.start()) + "_" + STAMP.print(w.end())
        : "all";
    return pane.getTiming() == PaneInfo.Timing.LATE ? label + "-late" + pane.getIndex() : label;
  }

  static final class AssignShardFn<T> extends DoFn<T, KV<Integer, T>> {
    private final int numShards;
    private final SerializableFunction<T, String> idFn;

    AssignShardFn(int numShards, SerializableFunction<T, String> idFn) {
      this.numShards = numShards;
      this.idFn = idFn;
    }

    @ProcessElement
    public void process(@Element T record, OutputReceiver<KV<Integer, T>> out) {
      int shard = (int) Math.floorMod(Hashing.sha256Long("shard", idFn.apply(record)), numShards);
      out.output(KV.of(shard, record));
    }
  }

  static final class WriteShardFn<T extends SpecificRecordBase>
      extends DoFn<KV<Integer, Iterable<T>>, Void> {
    private final Class<T> type;
    private final String directory;
    private final int numShards;
    private final SerializableFunction<T, String> idFn;
    private final List<OutputFormat> formats;
    private final Counter written = Metrics.counter(DeterministicAvroFiles.class, "records_written");
    private final Counter duplicates =
        Metrics.counter(DeterministicAvroFiles.class, "duplicate_records_skipped");
    private final Counter files = Metrics.counter(DeterministicAvroFiles.class, "files_written");

    WriteShardFn(Class<T> type, String directory, int numShards,
        SerializableFunction<T, String> idFn, List<OutputFormat> formats) {
      this.type = type;
      this.directory = directory;
      this.numShards = numShards;
      this.idFn = idFn;
      this.formats = formats;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<T>> group, BoundedWindow window,
        PaneInfo pane) throws IOException {
      List<T> records = new ArrayList<>();
      group.getValue().forEach(records::add);
      records.sort(Comparator.comparing(idFn::apply));

      List<T> unique = new ArrayList<>(records.size());
      String previous = null;
      for (T r : records) {
        String id = idFn.apply(r);
        if (id.equals(previous)) {
          duplicates.inc();
          continue;
        }
        unique.add(r);
        previous = id;
      }
      String label = windowLabel(window, pane);
      for (OutputFormat format : formats) {
        String name = label + "/" + String.format("part-%05d-of-%05d.%s", group.getKey(),
            numShards, format.extension());
        writeFile(name, format, unique);
      }
      written.inc(unique.size());
    }

    private void writeFile(String name, OutputFormat format, List<T> records) throws IOException {
      ResourceId dir = FileSystems.matchNewResource(directory, true);
      ResourceId target = dir.resolve(name, StandardResolveOptions.RESOLVE_FILE);
      int slash = name.lastIndexOf('/');
      ResourceId temp = dir.resolve(name.substring(0, slash + 1) + ".inprogress-"
          + UUID.randomUUID() + "-" + target.getFilename(), StandardResolveOptions.RESOLVE_FILE);
      Schema schema = AvroCoder.specific(type).getSchema();
      try (WritableByteChannel channel = new CloseOnce(FileSystems.create(temp, MimeTypes.BINARY));
          OutputStream out = Channels.newOutputStream(channel)) {
        switch (format) {
          case AVRO -> {
            byte[] sync = Arrays.copyOf(Hashing.sha256Bytes("avro-sync", name), 16);
            try (DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(type))) {
              writer.setCodec(CodecFactory.deflateCodec(6));
              writer.create(schema, out, sync);
              for (T r : records) {
                writer.append(r);
              }
            }
          }
          case PARQUET -> {
            try (ParquetWriter<T> writer = ParquetFiles.writer(schema, out, SpecificData.get())) {
              for (T r : records) {
                writer.write(r);
              }
            }
          }
          case JSONL -> {
            try (JsonLines writer = new JsonLines(out)) {
              for (T r : records) {
                writer.write(r);
              }
            }
          }
          default -> throw new IllegalStateException("unhandled format " + format);
        }
      }
      FileSystems.rename(List.of(temp), List.of(target));
      files.inc();
    }
  }

  /**
   * Closes its channel once however often it is closed: the writers close their stream, the stream
   * closes the channel, and try-with-resources closes both again. A local file ignores a second
   * close; Beam's S3 channel does not (it uploads an empty part and completes the finished
   * multipart upload again, which S3 refuses), so a file on {@code s3://} needs exactly one.
   */
  static final class CloseOnce implements WritableByteChannel {
    private final WritableByteChannel channel;
    private boolean closed;

    CloseOnce(WritableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    public int write(java.nio.ByteBuffer src) throws IOException {
      return channel.write(src);
    }

    @Override
    public boolean isOpen() {
      return !closed && channel.isOpen();
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        channel.close();
      }
    }
  }
}
