package org.in2stream.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.in2stream.pipeline.config.In2Options;
import org.in2stream.pipeline.config.PipelineConfig;

/** Configurations for tests, built the way users build them: from command-line options. */
public final class TestConfigs {
  private TestConfigs() {}

  /** Defaults plus placeholders for the required Kafka options, overridden by {@code args}. */
  public static PipelineConfig fromArgs(String... args) {
    List<String> all = new ArrayList<>(List.of("--bootstrapServers=unused:9092",
        "--inputTopic=docs", "--output=/unused"));
    all.addAll(List.of(args));
    return PipelineConfig.from(
        PipelineOptionsFactory.fromArgs(all.toArray(String[]::new)).as(In2Options.class));
  }
}
