package org.in2stream.runners.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DocSectionTest {
  @Test
  void replacesOnlyTheNamedSection() {
    String doc = "# Title\n\ntext\n<!-- generated:a begin -->\nold a\n<!-- generated:a end -->\n"
        + "middle\n<!-- generated:b begin -->\nold b\n<!-- generated:b end -->\ntail\n";
    String out = DocSection.replace(doc, "a", "new a\nline 2");
    assertEquals("# Title\n\ntext\n<!-- generated:a begin -->\nnew a\nline 2\n"
        + "<!-- generated:a end -->\nmiddle\n<!-- generated:b begin -->\nold b\n"
        + "<!-- generated:b end -->\ntail\n", out);
    assertEquals(out, DocSection.replace(out, "a", "new a\nline 2\n"), "idempotent");
  }

  @Test
  void appendsAMissingSectionAndRefusesBrokenMarkers() {
    assertEquals("text\n\n<!-- generated:x begin -->\nbody\n<!-- generated:x end -->\n",
        DocSection.replace("text\n", "x", "body"));
    assertThrows(IllegalArgumentException.class,
        () -> DocSection.replace("<!-- generated:x end -->\n<!-- generated:x begin -->\n", "x",
            "b"));
  }
}
