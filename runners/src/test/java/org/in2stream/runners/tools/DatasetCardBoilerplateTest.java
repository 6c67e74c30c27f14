package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.in2stream.runners.In2Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The card's line on boilerplate comes from the counters a finished job leaves below --output. */
class DatasetCardBoilerplateTest {
  @Test
  void reportsTheDropBoilerplateCounters(@TempDir Path out) throws Exception {
    Files.writeString(out.resolve(In2Main.COUNTERS_FILE), "DropBoilerplate.segments_removed\t12\n"
        + "DropBoilerplate.segments_shortened\t5\n"
        + "DropBoilerplate.characters_removed\t34567\n"
        + "DropBoilerplate.documents_with_boilerplate\t9\n"
        + "DropBoilerplate.documents_boilerplate_only\t1\n"
        + "ReadDocuments.records_read\t100\n");
    assertEquals("12 segments, and lines cut out of 5 more; 34,567 characters (9 documents had "
        + "boilerplate, 1 were nothing else)", DatasetCard.boilerplateRemoved(out));
  }

  @Test
  void saysSoWhenTheCountersAreMissing(@TempDir Path out) {
    assertTrue(DatasetCard.boilerplateRemoved(out).startsWith("not recorded"));
  }
}
