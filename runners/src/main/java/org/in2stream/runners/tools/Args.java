package org.in2stream.runners.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name=value} arguments of the small command-line tools. */
public final class Args {
  private final Map<String, String> values = new HashMap<>();

  public Args(String[] args, Set<String> known) {
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got " + a);
      }
      String name = a.substring(2, a.indexOf('='));
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; known: " + known);
      }
      values.put(name, a.substring(a.indexOf('=') + 1));
    }
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  public String required(String name) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  public int intValue(String name, int fallback) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
  }
}
