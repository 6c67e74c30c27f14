package org.in2stream.pipeline.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The pipeline version written into every record (from the Maven project version). */
public final class Version {
  public static final String PIPELINE = load();

  private Version() {}

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/in2-stream.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return "in2-stream/" + p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
