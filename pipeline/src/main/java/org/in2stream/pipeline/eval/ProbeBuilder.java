package org.in2stream.pipeline.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.in2stream.pipeline.assemble.ContextAssembler;
import org.in2stream.pipeline.segment.Segmenter;
import org.in2stream.pipeline.segment.Sentences;
import org.in2stream.pipeline.tokenize.TextTokenizer;
import org.in2stream.pipeline.util.Seeds;
import org.in2stream.schema.Document;
import org.in2stream.schema.Kind;
import org.in2stream.schema.Probe;
import org.in2stream.schema.QaPair;
import org.in2stream.schema.Segment;

/**
 * Cuts evaluation probes from the evaluation side of {@link EvalSplit}: for every kind, context
 * length and depth bin of the grid, {@code perCell} probes whose context is a needle placed among
 * filler segments of evaluation documents only (never of the needle's own document), so no training
 * document can appear in a probe.
 *
 * <ul>
 *   <li>{@code qa}: a verified fine-grained QA pair of an evaluation document; the needle is its
 *       answer segment (as in a training example);
 *   <li>{@code document} (VaL-style sentence retrieval): a segment of an evaluation document cut
 *       into sentences with {@link Sentences}; the question quotes one sentence and asks for the next
 *       ({@code forward}) or the previous one ({@code backward}), or quotes two and asks for the
 *       sentence between them ({@code bidirectional});
 *   <li>{@code structured} (VaL-style entity retrieval): a JSON record with a random id, its values
 *       words and numbers, queried by id and field;
 *   <li>{@code needle}: a synthetic key-value sentence (a code for a named vault), RULER-style.
 * </ul>
 *
 * <p>Placement: fillers are taken in a seeded random order while they fit the cell's length;
 * walking the same order, each goes before the needle while the part before stays within the depth
 * bin's centre, else after it; the first filler after the needle then gives its leading sentences
 * to the part before, so the needle lands near the centre of its bin. Depth is RULER's: the share
 * of the filler tokens that come before the needle (0 first, 1 last, at any length). The context is
 * counted on its final text and fillers are dropped from the end until it fits. Every draw comes from
 * {@link Seeds#rng} keyed by the probe id ({@code <kind>-<length>-d<bin>-<index>}), and inputs are
 * sorted by id first, so the same evaluation documents and QA pairs give the same probes.
 */
public final class ProbeBuilder {
  public static final List<String> KINDS = List.of("qa", "document", "structured", "needle");
  static final String PURPOSE = "probe";
  private static final String[] FIELDS = {"owner", "city", "status", "color", "code", "year"};
  private static final String ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

  /**
   * @param lengths target context lengths of the grid (tokens of {@code tokenizer})
   * @param depthBins number of equal depth bins
   * @param perCell probes per (kind, length, depth bin)
   */
  public record Settings(List<Integer> lengths, int depthBins, int perCell, List<String> kinds,
      long seed, int minSegmentTokens, int maxParagraphTokens) {
    public Settings {
      lengths = List.copyOf(lengths);
      kinds = List.copyOf(kinds);
      if (lengths.isEmpty() || lengths.stream().anyMatch(l -> l < 256)) {
        throw new IllegalArgumentException("--lengths needs at least one length >= 256: " + lengths);
      }
      if (depthBins < 1 || perCell < 1) {
        throw new IllegalArgumentException("--depthBins and --perCell must be >= 1");
      }
      for (String k : kinds) {
        if (!KINDS.contains(k)) {
          throw new IllegalArgumentException("unknown probe kind " + k + "; use " + KINDS);
        }
      }
    }
  }

  /** The probes, and the cells that could not be made (with why). */
  public record Result(List<Probe> probes, List<String> problems) {}

  private record Needle(String text, String question, String answer, String task, String docId,
      List<String> mustBeUnique) {}

  private final TextTokenizer tokenizer;
  private final Settings settings;
  private final int separatorTokens;
  private final List<Segment> pool = new ArrayList<>();
  private final List<QaPair> fineGrained = new ArrayList<>();
  private final List<Segment> sentenceSegments = new ArrayList<>();
  private final List<String> words = new ArrayList<>();

  public ProbeBuilder(TextTokenizer tokenizer, Settings settings, List<Document> documents,
      List<QaPair> qa) {
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.separatorTokens = Math.max(1, tokenizer.count(ContextAssembler.SEPARATOR));
    Segmenter segmenter = new Segmenter(tokenizer, settings.minSegmentTokens(),
        settings.maxParagraphTokens());
    Set<String> vocabulary = new TreeSet<>();
    for (Document d : documents.stream().sorted(Comparator.comparing(Document::getId)).toList()) {
      List<Segmenter.Piece> pieces = segmenter.segment(d.getText());
      for (int i = 0; i < pieces.size(); i++) {
        Segment s = Segment.newBuilder().setDocId(d.getId()).setIndex(i)
            .setText(pieces.get(i).text()).setTokens(pieces.get(i).tokens())
            .setSource(d.getSource()).build();
        pool.add(s);
        List<String> sentences = Sentences.of(s.getText());
        if (sentences.size() >= 3 && sentences.stream().allMatch(x -> x.split("\\s+").length >= 4)) {
          sentenceSegments.add(s);
        }
      }
      for (String w : d.getText().split("[^\\p{L}]+")) {
        if (w.length() >= 5 && w.length() <= 12) {
          vocabulary.add(w.toLowerCase(Locale.ROOT));
        }
      }
    }
    words.addAll(vocabulary);
    Set<String> docIds = new TreeSet<>();
    documents.forEach(d -> docIds.add(d.getId()));
    qa.stream().filter(q -> q.getKind() == Kind.FINE_GRAINED && docIds.contains(q.getDocId()))
        .sorted(Comparator.comparing(EvalSide::qaId)).forEach(fineGrained::add);
  }

  /** Every probe of the grid, sorted by id. */
  public Result build() {
    List<Probe> probes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String kind : settings.kinds()) {
      for (int length : settings.lengths()) {
        for (int bin = 0; bin < settings.depthBins(); bin++) {
          for (int k = 0; k < settings.perCell(); k++) {
            String id = String.format(Locale.ROOT, "%s-%d-d%02d-%d", kind, length, bin, k);
            try {
              Probe p = probe(id, kind, length, bin);
              if (p == null) {
                problems.add(id + ": no evaluation input for this kind");
              } else {
                probes.add(p);
              }
            } catch (IllegalStateException e) {
              problems.add(id + ": " + e.getMessage());
            }
          }
        }
      }
    }
    probes.sort(Comparator.comparing(Probe::getId));
    return new Result(probes, problems);
  }

  private Probe probe(String id, String kind, int length, int bin) {
    SplittableRandom rng = Seeds.rng(settings.seed(), PURPOSE, id);
    for (int attempt = 0; attempt < 8; attempt++) {
      Needle needle = switch (kind) {
        case "qa" -> qaNeedle(rng);
        case "document" -> documentNeedle(rng);
        case "structured" -> structuredNeedle(rng);
        case "needle" -> keyValueNeedle(rng);
        default -> throw new IllegalArgumentException(kind);
      };
      if (needle == null) {
        return null;
      }
      Probe p = place(id, kind, length, bin, needle, rng);
      if (p != null) {
        return p;
      }
    }
    throw new IllegalStateException("no placement kept its anchors and answer unique in 8 draws");
  }

  private Needle qaNeedle(SplittableRandom rng) {
    if (fineGrained.isEmpty()) {
      return null;
    }
    QaPair qa = fineGrained.get(rng.nextInt(fineGrained.size()));
    int needed = qa.getNeededSegmentIndexes().get(0);
    Segment seg = qa.getSegments().stream().filter(s -> s.getIndex() == needed).findFirst()
        .orElseThrow(() -> new IllegalStateException("QA pair " + EvalSide.qaId(qa)
            + " does not carry its needed segment " + needed));
    return new Needle(seg.getText(), qa.getQuestion(), qa.getAnswer(), "fine_grained",
        qa.getDocId(), List.of());
  }

  private Needle documentNeedle(SplittableRandom rng) {
    if (sentenceSegments.isEmpty()) {
      return null;
    }
    Segment seg = sentenceSegments.get(rng.nextInt(sentenceSegments.size()));
    List<String> s = Sentences.of(seg.getText());
    int mode = rng.nextInt(3);
    return switch (mode) {
      case 0 -> {
        int i = rng.nextInt(s.size() - 1);
        yield new Needle(seg.getText(), "In the context, which sentence comes right after this "
            + "one: \"" + s.get(i) + "\"? Reply with that sentence.", s.get(i + 1), "forward",
            seg.getDocId(), List.of(s.get(i), s.get(i + 1)));
      }
      case 1 -> {
        int i = 1 + rng.nextInt(s.size() - 1);
        yield new Needle(seg.getText(), "In the context, which sentence comes right before this "
            + "one: \"" + s.get(i) + "\"? Reply with that sentence.", s.get(i - 1), "backward",
            seg.getDocId(), List.of(s.get(i), s.get(i - 1)));
      }
      default -> {
        int i = rng.nextInt(s.size() - 2);
        yield new Needle(seg.getText(), "In the context, which sentence stands between \""
            + s.get(i) + "\" and \"" + s.get(i + 2) + "\"? Reply with that sentence.",
            s.get(i + 1), "bidirectional", seg.getDocId(),
            List.of(s.get(i), s.get(i + 1), s.get(i + 2)));
      }
    };
  }

  private Needle structuredNeedle(SplittableRandom rng) {
    if (words.isEmpty()) {
      return null;
    }
    String key = "REC-" + code(rng, 6);
    StringBuilder json = new StringBuilder("{\"id\": \"" + key + "\"");
    List<String> fields = new ArrayList<>(List.of(FIELDS));
    for (int i = fields.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      fields.set(i, fields.set(j, fields.get(i)));
    }
    String asked = fields.get(rng.nextInt(4));
    String answer = null;
    for (String f : fields.subList(0, 4)) {
      String v = f.equals("code") || f.equals("year")
          ? Integer.toString(f.equals("year") ? 1900 + rng.nextInt(125) : 10_000 + rng.nextInt(90_000))
          : words.get(rng.nextInt(words.size()));
      json.append(", \"").append(f).append("\": \"").append(v).append('"');
      if (f.equals(asked)) {
        answer = v;
      }
    }
    json.append('}');
    return new Needle("Record of the registry: " + json, "In the record whose id is \"" + key
        + "\", what is the value of the field \"" + asked + "\"?", answer, "json", null,
        List.of(key));
  }

  private Needle keyValueNeedle(SplittableRandom rng) {
    if (words.size() < 2) {
      return null;
    }
    String name = words.get(rng.nextInt(words.size())) + "-" + words.get(rng.nextInt(words.size()));
    String value = Integer.toString(1_000_000 + rng.nextInt(9_000_000));
    return new Needle("The access code of the " + name + " vault is " + value + ".",
        "What is the access code of the " + name + " vault?", value, "key_value", null,
        List.of(name + " vault", value));
  }

  private static String code(SplittableRandom rng, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(ALNUM.charAt(rng.nextInt(ALNUM.length())));
    }
    return b.toString();
  }

  /** The needle among fillers at the bin's centre; null when an anchor is not unique. */
  private Probe place(String id, String kind, int length, int bin, Needle needle,
      SplittableRandom rng) {
    int needleTokens = tokenizer.count(needle.text());
    if (needleTokens + separatorTokens >= length) {
      throw new IllegalStateException("the needle alone (" + needleTokens + " tokens) does not fit "
          + length);
    }
    int[] order = new int[pool.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    // Choose fillers that fit the length (rejection sampling, as the training assembler does).
    List<Segment> chosen = new ArrayList<>();
    int budget = length - needleTokens;
    int used = 0;
    for (int i : order) {
      Segment s = pool.get(i);
      if (s.getDocId().equals(needle.docId()) || containsAny(s.getText(), needle)) {
        continue;
      }
      int cost = s.getTokens() + separatorTokens;
      if (used + cost <= budget) {
        chosen.add(s);
        used += cost;
      }
    }
    double centre = (bin + 0.5) / settings.depthBins();
    double before = centre * used;
    List<Segment> head = new ArrayList<>();
    List<Segment> tail = new ArrayList<>();
    int headTokens = 0;
    for (Segment s : chosen) {
      int cost = s.getTokens() + separatorTokens;
      if (headTokens + cost <= before) {
        head.add(s);
        headTokens += cost;
      } else {
        tail.add(s);
      }
    }
    // Close the gap to the bin's centre: the first filler after the needle gives its leading
    // sentences to the part before it.
    int gap = (int) Math.round(before) - headTokens - separatorTokens;
    if (gap > 0 && !tail.isEmpty()) {
      Segment t = tail.get(0);
      int cut = 0;
      for (int end : Sentences.ends(t.getText())) {
        if (end < t.getText().length() && tokenizer.count(t.getText().substring(0, end)) <= gap) {
          cut = end;
        } else {
          break;
        }
      }
      if (cut > 0 && !t.getText().substring(cut).isBlank()) {
        String first = t.getText().substring(0, cut).strip();
        String rest = t.getText().substring(cut).strip();
        head.add(Segment.newBuilder(t).setText(first).setTokens(tokenizer.count(first)).build());
        tail.set(0, Segment.newBuilder(t).setText(rest).setTokens(tokenizer.count(rest)).build());
      }
    }
    while (true) {
      String prefix = join(head);
      String context = join(concat(head, needle.text(), tail));
      int tokens = tokenizer.count(context);
      if (tokens > length) {
        if (!tail.isEmpty()) {
          tail.remove(tail.size() - 1);
        } else if (!head.isEmpty()) {
          head.remove(head.size() - 1);
        } else {
          throw new IllegalStateException("the needle alone is longer than " + length);
        }
        continue;
      }
      if (!unique(context, needle)) {
        return null;
      }
      int start = prefix.isEmpty() ? 0 : tokenizer.count(prefix + ContextAssembler.SEPARATOR);
      Set<String> docIds = new TreeSet<>();
      head.forEach(s -> docIds.add(s.getDocId()));
      tail.forEach(s -> docIds.add(s.getDocId()));
      if (needle.docId() != null) {
        docIds.add(needle.docId());
      }
      return Probe.newBuilder().setId(id).setKind(kind).setContext(context)
          .setQuestion(needle.question()).setAnswer(needle.answer()).setContextTokens(tokens)
          .setDepth(Math.min(1.0, (double) start / Math.max(1, tokens - needleTokens)))
          .setLengthBin(length)
          .setDepthBin(bin).setDepthBins(settings.depthBins()).setTask(needle.task())
          .setSourceDocId(needle.docId()).setDocIds(new ArrayList<>(docIds))
          .setTokenizer(tokenizer.spec()).setSeed(settings.seed()).build();
    }
  }

  private static boolean containsAny(String text, Needle needle) {
    if (text.contains(needle.answer())) {
      return true;
    }
    for (String s : needle.mustBeUnique()) {
      if (text.contains(s)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every anchor, and the answer when it is a literal of the needle (not for {@code qa}, whose
   * answers are in the generator's words), occurs exactly once in the context.
   */
  private static boolean unique(String context, Needle needle) {
    List<String> all = new ArrayList<>(needle.mustBeUnique());
    if (needle.text().contains(needle.answer())) {
      all.add(needle.answer());
    }
    for (String s : all) {
      int first = context.indexOf(s);
      if (first < 0 || context.indexOf(s, first + 1) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static List<String> concat(List<Segment> head, String needle, List<Segment> tail) {
    List<String> out = new ArrayList<>();
    head.forEach(s -> out.add(s.getText()));
    out.add(needle);
    tail.forEach(s -> out.add(s.getText()));
    return out;
  }

  private static String join(List<?> pieces) {
    StringBuilder b = new StringBuilder();
    for (Object p : pieces) {
      if (b.length() > 0) {
        b.append(ContextAssembler.SEPARATOR);
      }
      b.append(p instanceof Segment s ? s.getText() : p.toString());
    }
    return b.toString();
  }
}
