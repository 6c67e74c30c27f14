package org.in2stream.pipeline;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.in2stream.schema.Document;
import org.in2stream.schema.Failure;
import org.in2stream.schema.LongContextExample;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.RawRecord;
import org.in2stream.schema.Segment;

/** Avro coders for every record type that flows between steps. */
public final class Coders {
  private Coders() {}

  public static void register(Pipeline pipeline) {
    CoderRegistry registry = pipeline.getCoderRegistry();
    registry.registerCoderForClass(RawRecord.class, AvroCoder.specific(RawRecord.class));
    registry.registerCoderForClass(Document.class, AvroCoder.specific(Document.class));
    registry.registerCoderForClass(Segment.class, AvroCoder.specific(Segment.class));
    registry.registerCoderForClass(QaPair.class, AvroCoder.specific(QaPair.class));
    registry.registerCoderForClass(LongContextExample.class,
        AvroCoder.specific(LongContextExample.class));
    registry.registerCoderForClass(Failure.class, AvroCoder.specific(Failure.class));
  }
}
