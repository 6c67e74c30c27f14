package org.in2stream.pipeline.sink;

import com.google.common.io.CountingOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.DelegatingPositionOutputStream;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Parquet files written with parquet-avro onto any output stream (a Beam {@code FileSystems}
 * channel, a local file), without a Hadoop file system. The settings are fixed so the bytes depend
 * only on the records and the schema: snappy, no dictionary-size guessing from the clock, the
 * parquet-mr version string as {@code created_by} (no timestamps exist in the format).
 */
public final class ParquetFiles {
  /** Row groups of this size (bytes, before compression): a shard is never held whole in memory. */
  public static final int ROW_GROUP_BYTES = 64 * 1024 * 1024;

  private ParquetFiles() {}

  /** A writer of {@code schema} records onto {@code out}; closing it closes {@code out}. */
  public static <T> ParquetWriter<T> writer(Schema schema, OutputStream out, GenericData model)
      throws IOException {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    // the three-level LIST layout of the Parquet spec (list/element), which every reader
    // (pyarrow, DuckDB, Spark, polars) reads the same way; parquet-avro's default is the legacy one
    conf.set("parquet.avro.write-old-list-structure", "false");
    return AvroParquetWriter.<T>builder(new StreamOutputFile(out))
        .withConf(conf)
        .withSchema(schema)
        .withDataModel(model)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withCodecFactory(SnappyCodecs.INSTANCE)
        .withRowGroupSize((long) ROW_GROUP_BYTES)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .build();
  }

  /** A reader of the records of a Parquet file written by {@link #writer}. */
  public static <T> ParquetReader<T> reader(InputFile file, GenericData model) throws IOException {
    return AvroParquetReader.<T>builder(file, new PlainParquetConfiguration())
        .withDataModel(model)
        .withCodecFactory(SnappyCodecs.INSTANCE)
        .build();
  }

  /** An {@link OutputFile} over a stream that is written once, front to back. */
  static final class StreamOutputFile implements OutputFile {
    private final OutputStream out;

    StreamOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      CountingOutputStream counting = new CountingOutputStream(out);
      return new DelegatingPositionOutputStream(counting) {
        @Override
        public long getPos() {
          return counting.getCount();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    @Override
    public String getPath() {
      return "stream";
    }
  }
}
