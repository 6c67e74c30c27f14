package org.in2stream.runners.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a deterministic synthetic corpus of news-like English documents: the input of the demo
 * (loaded into Kafka and run through the pipeline) and test data for the pipeline's tests.
 *
 * <p>All text comes from this class's own sentence templates and word lists; every person, place,
 * organization and team name is invented from syllables. Sentences carry numbers, dates and names
 * so that each document is distinct and the offline question generator finds spans to blank out.
 * About one document in 15 has one very long paragraph (well over 700 tokens) to exercise the
 * sentence-level split of the segmenter. With {@code --bad=true} a few inputs the pipeline must
 * dead-letter are added (blank text, invalid UTF-8, too short, broken JSON, JSON without text).
 *
 * <p>Everything derives from the seed (document {@code i} uses {@code new SplittableRandom(seed *
 * 1_000_003 + i)}), so the same arguments always give byte-identical files.
 *
 * <p>Re-crawl shape ({@code --crawl=K}, K &ge; 0): every document also carries the boilerplate
 * of a crawled page, a date line at the top, an ad block after the headline and the site's
 * footer (the same text on every page of the site), and a {@code fetched_at}. Crawl 0 is the first
 * fetch; crawl K &ge; 1 is the same pages fetched again: the same id, url and article text, and for
 * a seeded share of the pages ({@code --changedShare}, default 0.5) a new date line, ad block and
 * footer year, the others byte-identical to crawl 0. Which pages change derives from (seed, page).
 *
 * <pre>GenerateCorpus --out=DIR [--docs=400] [--seed=7] [--bad=true|false] [--crawl=K]
 *     [--changedShare=0.5]</pre>
 */
public final class GenerateCorpus {
  /** Documents per {@code corpus-NNN.jsonl} file. */
  public static final int DOCS_PER_FILE = 100;
  private static final int LONG_PARAGRAPH_EVERY = 15;
  private static final int LONG_PARAGRAPH_CHARS = 3_500;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SLOT = Pattern.compile("\\{([A-Z]+)\\}");
  private static final String USAGE =
      "usage: GenerateCorpus --out=DIR [--docs=400] [--seed=7] [--bad=true|false] [--crawl=K]"
          + " [--changedShare=0.5]";
  /** {@code --crawl} default: no crawl boilerplate (the plain news corpus). */
  public static final int NO_CRAWL = -1;

  private GenerateCorpus() {}

  /** What {@link #generate} wrote: corpus documents, bad input files and records, total bytes. */
  public record Summary(int documents, int badFiles, int badRecords, long bytes) {}

  // ---- word lists and templates (all our own) ----

  private static final List<String> SYLLABLES =
      words("ka lo mir ven ta dor el sa ri bel no quin ar ze tho lan fe gra mu sil or pe dra ni");
  private static final List<String> TOWN_ENDINGS =
      words("ton vale mere brook stead port ridge wick field ford");
  private static final List<String> MONTHS = words("January February March April May June July"
      + " August September October November December");
  private static final List<String> WEEKDAYS =
      words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday");
  private static final List<String> MASCOTS =
      words("Herons Foxes Comets Millers Otters Falcons Pilots Rangers Badgers Lanterns");
  private static final List<String> TITLE_ADJ =
      words("Quiet Silver Last Northern Broken Patient Hidden Golden Narrow Distant");
  private static final List<String> TITLE_NOUN =
      words("Harbor Orchard Lantern Winter Bridge Garden Meadow Lighthouse Archive Crossing");
  private static final List<String> DISTRICT_FORMS =
      List.of("%s Heights", "North %s", "%s Quarter", "Old %s", "%s Park", "East %s");

  /** One news section: URL path, organization and venue kinds, headlines and sentences. */
  private record Section(String path, List<String> orgKinds, List<String> venueKinds,
      List<String> headlines, List<String> sentences) {}

  /** The first two lines of {@code block} are headlines, the others sentence templates. */
  private static Section section(String path, String orgKinds, String venueKinds, String block) {
    List<String> lines = List.of(block.strip().split("\n"));
    return new Section(path, List.of(orgKinds.split("\\|")), List.of(venueKinds.split("\\|")),
        lines.subList(0, 2), lines.subList(2, lines.size()));
  }

  // Slots: {C} city, {D} district, {P} person, {O} organization, {TEAM}, {VENUE}, {WORK} title,
  // {PLACE} another town, and {N} {BIG} {PCT} {MONEY} {PRICE} {SCORE} {DATE} {MONTH} {YEAR}
  // {WEEKDAY} {HOUR} {TEMP}.
  private static final Section[] SECTIONS = {
      section("city-council", "Public Works Department|Civic Budget Office|Transit Authority",
          "Civic Center|Town Hall", """
          {C} Council Backs {MONEY} Plan for Road Repairs in {D}
          Mayor {P} Faces Questions Over Waterfront Lease in {C}
          The {C} city council voted {N} to {N} on {WEEKDAY} to approve a {MONEY} road plan.
          Council member {P} said the proposal would add {N} bus stops in {D} by {DATE}.
          According to the clerk, {BIG} residents signed a petition for longer library hours.
          {P}, who chairs the budget committee, said tax revenue fell {PCT} since {YEAR}.
          The meeting ran past {HOUR}, and {N} speakers lined up to comment on the zoning change.
          Mayor {P} promised a public hearing on {DATE} before any final vote on the lease.
          A report from the {O} said the new water main would serve {BIG} households in {D}.
          Opponents led by {P} argued that the {MONEY} contract was awarded without enough bids.
          """),
      section("science", "Institute of Earth Sciences|Marine Laboratory|Polytechnic",
          "Observatory|Science Center", """
          {O} Team Finds {N} Unrecorded Microbes Near {C}
          Study Led by {P} Tracks Wetland Changes in {D}
          Researchers at the {O} found {N} unrecorded microbes in {BIG} soil cores from {D}.
          The study, led by {P}, was published on {DATE} after {N} months of review.
          {P} said nitrogen levels in the {D} wetlands had dropped {PCT} since {YEAR}.
          The instrument, built for about {MONEY}, detects particles smaller than {N} micrometers.
          A second group under {P} plans to repeat the work with {BIG} volunteers next spring.
          Funding came from the {O}, which has backed field work around {C} for {N} years.
          The telescope at the {VENUE} recorded {BIG} faint flashes during one night in {MONTH}.
          {P} cautioned that the results cover only {N} sites and may not hold in colder regions.
          """),
      section("sports", "Athletic Club|Sports Authority|Youth League", "Stadium|Field|Arena", """
          {TEAM} Edge {TEAM} {SCORE} at {VENUE}
          {P} Leads {TEAM} to Win Number {N} of the Season
          The {TEAM} beat the {TEAM} {SCORE} on {WEEKDAY} in front of {BIG} fans at {VENUE}.
          {P} scored {N} points in the second half, the most by any player this season.
          Coach {P} said the squad had trained for {N} days at altitude before the tournament.
          The win moved the {TEAM} to {N} victories and {N} losses, second in the standings.
          Tickets for the final on {DATE} sold out within {N} minutes, according to the {O}.
          {P}, the team captain, missed {N} games in {YEAR} with a knee injury but came back.
          The next match against the {TEAM} is scheduled for {DATE} at {VENUE}.
          Attendance at {VENUE} has grown {PCT} since the ground reopened in {YEAR}.
          """),
      section("business", "Holdings|Logistics Group|Textile Works|Food Company",
          "Trade Center|Exchange Hall", """
          {O} Revenue Climbs {PCT} as Demand Grows in {C}
          {O} to Open {N} Stores in {C} and {D}
          The {O} reported quarterly revenue of {MONEY}, up {PCT} from the same period in {YEAR}.
          Chief executive {P} told investors the company would open {N} new stores in {D}.
          Shares of the {O} closed at {PRICE} on {WEEKDAY} after the earnings call.
          Analysts at the {O} expect the merger to cut about {BIG} jobs over {N} years.
          {P}, an analyst, said demand for electric ferries in {C} had doubled since {YEAR}.
          A new warehouse in {D} will employ {BIG} people when it opens on {DATE}.
          The board approved a dividend of {N} cents per share and a buyback worth {MONEY}.
          Local suppliers said delivery times had improved by {N} days since {MONTH}.
          """),
      section("weather", "Weather Service|Climate Observatory|Flood Control Board",
          "Harbor Station|Hill Station", """
          Storm Brings {N} Millimeters of Rain to {D}
          Cold Front Expected in {C} by {WEEKDAY}, Says {O}
          Forecasters at the {O} expect {C} to reach {TEMP} degrees by {WEEKDAY} afternoon.
          Rainfall in {D} totaled {N} millimeters over the weekend, the highest since {YEAR}.
          Wind gusts of up to {N} kilometers per hour cut power to {BIG} homes on {DATE}.
          {P}, a meteorologist with the {O}, said the cold front would move east by {HOUR}.
          The river at {D} rose {N} centimeters overnight, and crews placed {BIG} sandbags.
          Schools across {C} opened {N} minutes late on {WEEKDAY} because of icy roads.
          Snow on the hills above {C} was {N} centimeters deep on {DATE}, according to {P}.
          Officials said the dry spell has lasted {N} days, the longest stretch since {YEAR}.
          """),
      section("culture", "Arts Foundation|Heritage Trust|Music Society",
          "Concert Hall|Playhouse|Gallery", """
          {P} Exhibition Opens at {VENUE}
          {C} Festival Draws {BIG} Visitors Over {N} Days
          The {VENUE} will open an exhibition of {N} paintings by {P} on {DATE}.
          The novel {WORK}, written by {P}, sold {BIG} copies in its first month.
          {P} directed a new staging of {WORK} that runs for {N} nights at the {VENUE}.
          Organizers of the {C} music festival said {BIG} visitors came over {N} days in {MONTH}.
          The city orchestra, conducted by {P}, received a grant of {MONEY} from the {O}.
          Tickets for the premiere on {DATE} cost between {N} and {BIG} dollars.
          {P} said the mural in {D} took {N} weeks to paint and used {N} liters of paint.
          A restored film from {YEAR} will be screened at the {VENUE} on {WEEKDAY} evening.
          """),
  };

  /** Ad blocks of crawled pages ({@code %d}: a number). */
  private static final List<String> ADS = List.of(
      "Save %d percent on your first year of home delivery. Subscribe today.",
      "Ferry passes for the whole family, %d rides for the price of ten. Book online.",
      "Garden center weekend sale: %d kinds of roses, free parking.",
      "Learn a language in %d days with our evening classes. First lesson free.");

  /** Sentences that fit any section. */
  private static final List<String> GENERAL = List.of("""
      {P} told reporters on {WEEKDAY} that more details would be released by {DATE}.
      The announcement came {N} days after a similar decision in neighboring {PLACE}.
      Residents of {D} can submit written comments until {DATE}, officials said.
      A spokesperson for the {O} declined to comment on the figures beyond a short statement.
      In {YEAR}, a comparable effort in {PLACE} cost {MONEY} and took {N} months.
      {P} and {P} are expected to speak at a public forum at the {VENUE} on {DATE}.
      The figures were first compiled by {P}, who has tracked local trends in {C} for {N} years.
      More than {BIG} people followed the live broadcast, according to the {O}.
      """.strip().split("\n"));

  // ---- generation ----

  /** The invented names one document draws on. */
  private record Cast(String city, List<String> districts, List<String> people, List<String> orgs,
      List<String> teams, String venue, String work) {}

  /**
   * Writes the corpus (and, if {@code bad}, the bad inputs) into {@code out}, after deleting the
   * {@code *.jsonl} and {@code *.txt} files already there.
   */
  public static Summary generate(Path out, int docs, long seed, boolean bad) throws IOException {
    return generate(out, docs, seed, bad, NO_CRAWL, 0.5);
  }

  /**
   * As {@link #generate(Path, int, long, boolean)}, in the re-crawl shape when {@code crawl >= 0}
   * (see the class comment).
   */
  public static Summary generate(Path out, int docs, long seed, boolean bad, int crawl,
      double changedShare) throws IOException {
    if (changedShare < 0 || changedShare > 1) {
      throw new IllegalArgumentException("--changedShare must be in [0, 1], got " + changedShare);
    }
    if (docs < 0) {
      throw new IllegalArgumentException("--docs must be >= 0, got " + docs);
    }
    Files.createDirectories(out);
    try (Stream<Path> files = Files.list(out)) {
      for (Path old : files.filter(f -> Files.isRegularFile(f)
          && f.getFileName().toString().matches(".*[.](jsonl|txt)")).toList()) {
        Files.delete(old);
      }
    }
    long bytes = 0;
    for (int file = 0; file * DOCS_PER_FILE < docs; file++) {
      StringBuilder lines = new StringBuilder();
      for (int i = file * DOCS_PER_FILE; i < Math.min(docs, (file + 1) * DOCS_PER_FILE); i++) {
        lines.append(jsonLine(i, seed, crawl, changedShare)).append('\n');
      }
      bytes += write(out.resolve(String.format(Locale.ROOT, "corpus-%03d.jsonl", file)),
          lines.toString().getBytes(StandardCharsets.UTF_8));
    }
    if (!bad) {
      return new Summary(docs, 0, 0, bytes);
    }
    bytes += write(out.resolve("bad-empty.txt"), latin1("   \n  \n\n      \n"));
    // Latin-1 writes U+00C3 and U+00FF as the single bytes 0xC3 and 0xFF: 0xC3 must be followed
    // by a continuation byte (not '('), and 0xFF never occurs in UTF-8
    bytes += write(out.resolve("bad-invalid-utf8.txt"), latin1("Harbor notice: the ferry "
        + "timetable changed \u00C3( on Monday and the late boat \u00FF is cancelled.\n"));
    bytes += write(out.resolve("bad-too-short.txt"), latin1("Light rain is expected tonight.\n"));
    bytes += write(out.resolve("bad-lines.jsonl"), latin1(
        "{\"id\": \"broken\", \"text\": \"unterminated\n"
            + "{\"id\":\"no-text\",\"body\":\"This record has a body but no text.\"}\n"));
    return new Summary(docs, 4, 5, bytes);
  }

  /** The JSON line of document {@code index} (0-based), as written to the corpus files. */
  static String jsonLine(int index, long seed) throws JsonProcessingException {
    return jsonLine(index, seed, NO_CRAWL, 0);
  }

  /**
   * The JSON line of document {@code index} in crawl {@code crawl} (or without crawl boilerplate
   * for {@link #NO_CRAWL}). The article text never depends on the crawl.
   */
  static String jsonLine(int index, long seed, int crawl, double changedShare)
      throws JsonProcessingException {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index);
    Section section = SECTIONS[r.nextInt(SECTIONS.length)];
    Cast cast = cast(section, r);
    String headline = fill(pick(section.headlines(), r), cast, r);
    List<String> paragraphs = new ArrayList<>(List.of(headline));
    List<String> deck = new ArrayList<>();
    boolean longDoc = index % LONG_PARAGRAPH_EVERY == 4;
    int target = longDoc ? 700 + r.nextInt(600) : 1_600 + r.nextInt(2_100);
    int count = Math.max(3, Math.min(8, Math.round(target / 480f) + r.nextInt(3) - 1));
    int bodyChars = 0;
    for (int p = 0; p < count; p++) {
      int budget = (target - bodyChars) / (count - p);
      StringBuilder para = new StringBuilder();
      for (int s = 0; s < 6 && (s < 2 || para.length() < budget); s++) {
        para.append(s == 0 ? "" : " ").append(sentence(section, deck, cast, r));
      }
      if (longDoc && p == 1) {
        while (para.length() < LONG_PARAGRAPH_CHARS) {
          para.append(' ').append(sentence(section, deck, cast, r));
        }
      } else {
        bodyChars += para.length();
      }
      paragraphs.add(para.toString());
    }
    String slug = headline.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        .replaceAll("^-|-$", "");
    slug = slug.substring(0, Math.min(60, slug.length())).replaceAll("-$", "");
    ObjectNode node = JSON.createObjectNode();
    node.put("id", String.format(Locale.ROOT, "doc-%05d", index + 1));
    node.put("url", String.format(Locale.ROOT, "https://news.example/%s/%s-%05d",
        section.path(), slug, index + 1));
    if (crawl >= 0) {
      // A separate generator per page (and per crawl for a changed page): the article is the same.
      boolean changed = crawl > 0
          && new SplittableRandom((seed * 1_000_003L + index) ^ 0x5EED_C4A7L).nextDouble()
              < changedShare;
      int variant = changed ? crawl : 0;
      SplittableRandom b = new SplittableRandom((seed * 31L + variant) * 1_000_003L + index);
      paragraphs.add(0, "Published " + pick(MONTHS, b) + " " + (1 + b.nextInt(28)) + ", "
          + (2019 + b.nextInt(7)) + ". Last updated " + pick(WEEKDAYS, b) + " at "
          + (1 + b.nextInt(12)) + ":" + String.format(Locale.ROOT, "%02d", b.nextInt(60))
          + ".");
      paragraphs.add(2, "Advertisement. " + pick(ADS, b).formatted(5 + b.nextInt(60)));
      paragraphs.add("Copyright " + (2019 + b.nextInt(8)) + " News Example. All rights reserved."
          + " Send tips and corrections to the newsroom; read our privacy policy and terms of use"
          + " before you comment. Sign up for the morning newsletter to get the headlines.");
      node.put("fetched_at", String.format(Locale.ROOT, "2026-11-%02dT%02d:%02d:00Z",
          1 + Math.min(crawl, 4) * 7, index / 60 % 24, index % 60));
    }
    node.put("text", String.join("\n", paragraphs));
    return JSON.writeValueAsString(node);
  }

  /** Draws templates without replacement: the section's, plus four general ones per round. */
  private static String sentence(Section section, List<String> deck, Cast cast,
      SplittableRandom r) {
    if (deck.isEmpty()) {
      deck.addAll(section.sentences());
      Stream.generate(() -> pick(GENERAL, r)).limit(4).forEach(deck::add);
    }
    return fill(deck.remove(r.nextInt(deck.size())), cast, r);
  }

  private static Cast cast(Section section, SplittableRandom r) {
    String city = town(r);
    List<String> districts =
        Stream.generate(() -> pick(DISTRICT_FORMS, r).formatted(name(r, 2))).limit(3).toList();
    List<String> people =
        Stream.generate(() -> name(r, 2) + " " + name(r, 2 + r.nextInt(2))).limit(4).toList();
    List<String> orgs = List.of(city + " " + pick(section.orgKinds(), r),
        name(r, 2) + " " + pick(section.orgKinds(), r));
    List<String> teams = List.of(city + " " + pick(MASCOTS, r), town(r) + " " + pick(MASCOTS, r));
    String venue = name(r, 2) + " " + pick(section.venueKinds(), r);
    String work = "The " + pick(TITLE_ADJ, r) + " " + pick(TITLE_NOUN, r);
    return new Cast(city, districts, people, orgs, teams, venue, work);
  }

  /** Replaces each {@code {SLOT}} of a template; people, teams and so on differ within one call. */
  private static String fill(String template, Cast cast, SplittableRandom r) {
    Set<String> used = new HashSet<>();
    Matcher m = SLOT.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(slot(m.group(1), cast, r, used)));
    }
    return m.appendTail(sb).toString();
  }

  private static String slot(String name, Cast c, SplittableRandom r, Set<String> used) {
    return switch (name) {
      case "C" -> c.city();
      case "D" -> distinct(c.districts(), r, used);
      case "P" -> distinct(c.people(), r, used);
      case "O" -> distinct(c.orgs(), r, used);
      case "TEAM" -> distinct(c.teams(), r, used);
      case "VENUE" -> c.venue();
      case "WORK" -> c.work();
      case "PLACE" -> town(r);
      case "N" -> Integer.toString(2 + r.nextInt(58));
      case "BIG" -> String.format(Locale.ROOT, "%,d", 120 + r.nextInt(48_000));
      case "PCT" -> (1 + r.nextInt(30)) + "." + r.nextInt(10) + " percent";
      case "MONEY" -> r.nextInt(3) == 0
          ? String.format(Locale.ROOT, "$%,d", (50 + r.nextInt(900)) * 1_000)
          : "$" + (1 + r.nextInt(90)) + "." + r.nextInt(10) + " million";
      case "PRICE" -> String.format(Locale.ROOT, "$%d.%02d", 3 + r.nextInt(200), r.nextInt(100));
      case "SCORE" -> {
        int low = r.nextInt(4);
        yield (low + 1 + r.nextInt(3)) + " to " + low;
      }
      case "DATE" -> pick(MONTHS, r) + " " + (1 + r.nextInt(28));
      case "MONTH" -> pick(MONTHS, r);
      case "YEAR" -> Integer.toString(2009 + r.nextInt(16));
      case "WEEKDAY" -> pick(WEEKDAYS, r);
      case "HOUR" -> String.format(Locale.ROOT, "%d:%02d in the evening", 5 + r.nextInt(7),
          r.nextInt(4) * 15);
      case "TEMP" -> {
        int t = r.nextInt(50) - 12;
        yield t < 0 ? "minus " + (-t) : Integer.toString(t);
      }
      default -> throw new IllegalArgumentException("unknown slot {" + name + "}");
    };
  }

  private static String distinct(List<String> options, SplittableRandom r, Set<String> used) {
    String choice = pick(options, r);
    for (int tries = 0; used.contains(choice) && tries < 20; tries++) {
      choice = pick(options, r);
    }
    used.add(choice);
    return choice;
  }

  /** An invented capitalized word of {@code syllables} syllables. */
  private static String name(SplittableRandom r, int syllables) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < syllables; i++) {
      sb.append(pick(SYLLABLES, r));
    }
    return Character.toUpperCase(sb.charAt(0)) + sb.substring(1);
  }

  private static String town(SplittableRandom r) {
    return r.nextBoolean() ? name(r, 2) + pick(TOWN_ENDINGS, r) : name(r, 3);
  }

  private static <T> T pick(List<T> items, SplittableRandom r) {
    return items.get(r.nextInt(items.size()));
  }

  private static List<String> words(String spaceSeparated) {
    return List.of(spaceSeparated.split(" "));
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static long write(Path file, byte[] content) throws IOException {
    Files.write(file, content);
    return content.length;
  }

  // ---- command line ----

  public static void main(String[] args) {
    Path out = null;
    int docs = 400;
    long seed = 7;
    boolean bad = true;
    int crawl = NO_CRAWL;
    double changedShare = 0.5;
    Summary summary;
    try {
      for (String arg : args) {
        int eq = arg.indexOf('=');
        String name = arg.startsWith("--") && eq > 2 ? arg.substring(2, eq) : "";
        String value = arg.substring(eq + 1);
        switch (name) {
          case "out" -> out = Paths.get(value);
          case "docs" -> docs = Integer.parseInt(value);
          case "seed" -> seed = Long.parseLong(value);
          case "crawl" -> crawl = Integer.parseInt(value);
          case "changedShare" -> changedShare = Double.parseDouble(value);
          case "bad" -> bad = switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--bad must be true or false: " + arg);
          };
          default -> throw new IllegalArgumentException("unknown argument: " + arg);
        }
      }
      if (out == null || out.toString().isEmpty()) {
        throw new IllegalArgumentException("--out=DIR is required");
      }
      summary = generate(out, docs, seed, bad, crawl, changedShare);
    } catch (IllegalArgumentException e) { // NumberFormatException included
      System.err.println("GenerateCorpus: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("GenerateCorpus: cannot write " + out + ": " + e);
      System.exit(1);
      return;
    }
    String extra = summary.badFiles() == 0 ? "" : String.format(Locale.ROOT,
        " (+%d bad inputs, %d records)", summary.badFiles(), summary.badRecords());
    System.out.printf(Locale.ROOT, "Wrote %d documents%s to %s (%,d bytes)%n",
        summary.documents(), extra, out, summary.bytes());
  }
}
